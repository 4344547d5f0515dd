import type { WorkerProtocol } from '@hashwatt/schemas';
import type { AcceptedShare, RejectReason, ShareSession } from '../work/validate-share.ts';
import type { JobRegistry } from '../work/job-registry.ts';
import type { ShareHasher } from '../work/share-hasher.ts';
import type { StratumErrorCode } from './errors.ts';
import type { ExtranonceAllocator } from './extranonce.ts';
import type { JobDeclarations } from './v2/job-declarations.ts';
import type { JobFeed } from './job-feed.ts';
import type { RequestId } from './messages.ts';
import type { Vardiff, VardiffSettings } from './vardiff.ts';
import type { Authorizer, WorkerIdentity } from './worker-identity.ts';

/** What a session writes to and reports through; the connection implements it. */
export interface SessionSink {
  /** One newline-terminated line; a Buffer when it is shared by many sessions. */
  send(line: string | Buffer): void;
  /**
   * [stratum: mining.submit] true for an accepted share, sent once the share is committed;
   * a refusal instead when the commit fails (StratumEvents.commitShares).
   */
  acknowledgeShare(id: RequestId): void;
  close(reason: string): void;
  /** Misbehaviour points toward a temporary ban of the peer's address. */
  penalize(points: number, reason: string): void;
}

export interface StratumSettings {
  readonly extranonce2Size: number;
  /** [BIP310] the bits the pool lets miners roll. */
  readonly versionMask: number;
  readonly vardiff: VardiffSettings;
  readonly maxWorkersPerConnection: number;
  /** Requests a connection may send before it has authorized a worker. */
  readonly maxRequestsBeforeAuthorize: number;
  /** Every miner mines SOLO unless it says otherwise; else only those asking for it. */
  readonly soloByDefault: boolean;
}

/** An accepted share, credited at the difficulty it was judged at. */
export interface CreditedShare {
  readonly identity: WorkerIdentity;
  /** Mined on a SOLO coinbase: the block, if any, pays the finder directly. */
  readonly solo: boolean;
  readonly share: AcceptedShare;
  /** The difficulty the share counts for: the session's, at the time of its job. */
  readonly difficulty: number;
  readonly extranonce1: Buffer;
  readonly remoteAddress: string;
  readonly userAgent: string | undefined;
  readonly timeMs: number;
}

export interface RejectedSubmit {
  readonly worker: string | undefined;
  /** The authorized worker that sent it; undefined when it was not authorized. */
  readonly identity: WorkerIdentity | undefined;
  readonly reason: RejectReason | 'unauthorized' | 'not-subscribed';
  readonly remoteAddress: string;
  readonly timeMs: number;
}

/** A worker that has just joined a connection: authorized in V1, its channel opened in V2. */
export interface ConnectedWorker {
  readonly identity: WorkerIdentity;
  readonly protocol: WorkerProtocol;
  readonly timeMs: number;
}

/** Events that leave the Stratum layer; main.ts wires them to the chain and the ledger. */
export interface StratumEvents {
  /** Called before anything else is done with the share, so the block reaches the node first. */
  blockFound(found: CreditedShare): void;
  shareAccepted(share: CreditedShare): void;
  shareRejected(reject: RejectedSubmit): void;
  /** Recorded as the protocol the worker last connected with. */
  workerConnected(connected: ConnectedWorker): void;
  /**
   * Called once a turn of the event loop, after the requests that arrived in it are
   * handled and before their replies are sent (and before a connection is closed): what
   * was accepted must be durable (journalled) before the miner hears it was. False when
   * the shares accepted since the last call are not journalled: their acknowledgements
   * leave as refusals.
   */
  commitShares(): boolean;
  /** Something that should not happen, such as a template no coinbase fits; for the log. */
  problem(message: string, error: unknown): void;
}

/** Shared by every session of a server. */
export interface StratumEnvironment {
  readonly settings: StratumSettings;
  readonly extranonces: ExtranonceAllocator;
  readonly feed: JobFeed;
  readonly hasher: ShareHasher;
  readonly authorizer: Authorizer;
  readonly events: StratumEvents;
  /** Stratum V2's Job Declaration Server, when stratum.jdsPort is set: custom jobs are accepted. */
  readonly jobDeclarations?: JobDeclarations;
}

export interface SessionState {
  subscribed: boolean;
  extranonce1: Buffer | undefined;
  extranonce1Number: number | undefined;
  userAgent: string | undefined;
  /** [BIP310] the mask the miner asked for in mining.configure; undefined without version rolling. */
  minerVersionMask: number | undefined;
  /** [BIP310] the mask in force: the miner's, the pool's, less the template's signalling bits. */
  versionMask: number;
  extranonceSubscribed: boolean;
  readonly workers: Map<string, WorkerIdentity>;
  /** A SOLO session's coinbase pays this (its first worker's address); undefined for the pool. */
  soloScript: Buffer | undefined;
  readonly vardiff: Vardiff;
  /** The difficulty in force when each recent job was sent to this session. */
  readonly jobDifficulty: Map<string, number>;
  registry: JobRegistry | undefined;
  requestsBeforeAuthorize: number;
  /** Invalid shares in a row, for the ban on sustained garbage. */
  invalidStreak: number;
  /** Reused for every share: validateShare reads it, nothing is allocated. */
  readonly shareSession: { -readonly [K in keyof ShareSession]: ShareSession[K] };
}

/** What handlers use of their session. */
export interface SessionContext {
  readonly env: StratumEnvironment;
  readonly state: SessionState;
  readonly remoteAddress: string;
  reply(id: RequestId, result: unknown): void;
  /** Accepts a share: the reply waits for its commit (SessionSink.acknowledgeShare). */
  acknowledgeShare(id: RequestId): void;
  fail(id: RequestId, code: StratumErrorCode, message: string): void;
  penalize(points: number, reason: string): void;
  /**
   * Announces a difficulty (mining.set_difficulty) when it differs from the last one sent,
   * followed by the session's current work under a new job id for it to take effect on.
   */
  announceDifficulty(difficulty: number): void;
  /** Sends the session's current job, if it has one. */
  sendCurrentJob(): void;
  /** The version mask the session may roll now. */
  versionMaskNow(): number;
}
