/**
 * Where a Stratum node's shares, found blocks and template facts go: straight to the
 * database, to the writers through NATS, or to the thread that holds the database;
 * and what it counts for its log.
 */
import type { Logger } from 'pino';
import type { BlockOutcome } from '../chain/block-submitter.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import { recordTemplate } from '../farms/economics/network.ts';
import type { BatchSink, RejectRecord, ShareRecord } from '../ledger/share-store.ts';
import {
  LedgerPublisher,
  SHARES_PER_MESSAGE,
  type LedgerBus,
  type NetworkFacts,
} from '../ledger/share-stream.ts';
import type { StorageChannel, StorageHandlers } from '../ledger/storage-channel.ts';
import type { ProtocolRecord } from '../ledger/worker-protocols.ts';
import type { ConnectedWorker, CreditedShare, RejectedSubmit } from '../stratum/session-context.ts';
import type { WorkerIdentity } from '../stratum/worker-identity.ts';
import { difficultyFromBits } from '../work/target.ts';
import { shareStore, type Books } from './books.ts';

export const STATS_INTERVAL_MS = 60_000;

export interface StratumOutlet {
  readonly sink: BatchSink;
  /** The most records in one batch. */
  readonly maxBatchShares: number;
  /** `afterBatch`: the batch with the block's share, stored before the block is. */
  block(outcome: BlockOutcome, afterBatch: string | undefined): Promise<void>;
  network(facts: NetworkFacts): Promise<void>;
  /** With NATS: journalled blocks are sent again, for the stream may not have taken them. */
  readonly resendsBlocks: boolean;
}

export function stratumOutlet(
  config: Config,
  parts: {
    readonly db: Database | undefined;
    readonly books: Books | undefined;
    readonly bus: LedgerBus | undefined;
  },
): StratumOutlet {
  const { bus, db, books } = parts;
  if (bus) {
    const publisher = new LedgerPublisher(bus, config.stratum.nodeId);
    return {
      sink: publisher,
      // A batch through NATS is one message, which must stay under the server's max_payload.
      maxBatchShares: Math.min(config.ledger.maxBatchShares, SHARES_PER_MESSAGE),
      block: (outcome, afterBatch) => publisher.block(outcome, afterBatch),
      network: (facts) => publisher.network(facts),
      resendsBlocks: true,
    };
  }
  if (db && books) {
    return {
      sink: shareStore(config, db, books.settings),
      maxBatchShares: config.ledger.maxBatchShares,
      block: (outcome) => books.ledger.record(outcome),
      network: (facts) => recordTemplate(db, facts),
      resendsBlocks: false,
    };
  }
  throw new Error('a Stratum node needs nats.url or the database for its shares');
}

/** The Stratum thread's outlet: everything crosses to the thread that holds the database. */
export function channelOutlet(config: Config, channel: StorageChannel): StratumOutlet {
  return {
    sink: channel,
    maxBatchShares: config.ledger.maxBatchShares,
    // The block's batch is stored before the block is sent: the channel keeps their order.
    block: (outcome) => channel.block(outcome),
    network: (facts) => channel.network(facts),
    resendsBlocks: false,
  };
}

/** What the thread with the database does with the Stratum thread's handoffs: what its own outlet would. */
export function storageHandlers(outlet: StratumOutlet): StorageHandlers {
  return {
    shares: outlet.sink,
    block: (outcome) => outlet.block(outcome, undefined),
    network: (facts) => outlet.network(facts),
  };
}

/** An address account is paid at itself; a named account at the address registered for it. */
function payoutAddressOf(identity: WorkerIdentity): string | null {
  return identity.payoutScript ? identity.account : null;
}

export function shareRecord(found: CreditedShare): ShareRecord {
  const { identity, share } = found;
  return {
    timeMs: found.timeMs,
    account: identity.account,
    worker: identity.worker,
    payoutAddress: payoutAddressOf(identity),
    difficulty: found.difficulty,
    achieved: share.difficulty,
    height: share.job.template.height,
    block: share.isBlock,
    solo: found.solo,
    networkDifficulty: difficultyFromBits(share.job.template.bits),
    subsidy: Number(share.job.template.coinbaseValue - share.job.template.fees),
    fees: Number(share.job.template.fees),
  };
}

/** A worker's connection as the ledger keeps it: the account as its shares name it. */
export function protocolRecord(connected: ConnectedWorker): ProtocolRecord {
  const { identity } = connected;
  return {
    timeMs: connected.timeMs,
    account: identity.account,
    worker: identity.worker,
    payoutAddress: payoutAddressOf(identity),
    protocol: connected.protocol,
  };
}

/**
 * A refused share as the ledger keeps it, grouped as miners read them: stale work, a
 * duplicate, a share under its difficulty, and everything malformed or impossible.
 */
export function rejectRecord(
  reject: RejectedSubmit,
  identity: { account: string; worker: string },
): RejectRecord {
  const kind =
    reject.reason === 'stale' || reject.reason === 'duplicate'
      ? reject.reason
      : reject.reason === 'low-diff'
        ? 'low-difficulty'
        : 'invalid';
  return {
    timeMs: reject.timeMs,
    account: identity.account,
    worker: identity.worker,
    stale: kind === 'stale',
    kind,
  };
}

/** Counts for the log line each minute. */
export function poolStats(log: Logger): {
  accepted(share: CreditedShare): void;
  rejected(): void;
  report(miners: number): void;
} {
  let difficulty = 0;
  let accepted = 0;
  let rejected = 0;
  return {
    accepted(share) {
      accepted++;
      difficulty += share.difficulty;
    },
    rejected() {
      rejected++;
    },
    report(miners) {
      const hashrate = (difficulty * 2 ** 32) / (STATS_INTERVAL_MS / 1000);
      log.info(
        { miners, accepted, rejected, hashrate: `${(hashrate / 1e9).toFixed(3)} GH/s` },
        'pool: last minute',
      );
      difficulty = 0;
      accepted = 0;
      rejected = 0;
    },
  };
}
