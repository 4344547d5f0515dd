import { u32ToHex } from '../work/bytes.ts';
import type { JobRegistry } from '../work/job-registry.ts';
import { StratumErrorCode } from './errors.ts';
import { assignExtranonce1 } from './extranonce.ts';
import { handleAuthorize } from './handlers/authorize.ts';
import { handleConfigure } from './handlers/configure.ts';
import { handleExtranonceSubscribe } from './handlers/extranonce-subscribe.ts';
import { handleSubmit } from './handlers/submit.ts';
import { handleSubscribe } from './handlers/subscribe.ts';
import { handleSuggestDifficulty, handleSuggestTarget } from './handlers/suggest-difficulty.ts';
import type { FeedJob } from './job-feed.ts';
import {
  encodeError,
  encodeNotification,
  encodeResult,
  encodeSetDifficulty,
  parseLine,
  type RequestId,
  type StratumRequest,
} from './messages.ts';
import type { SessionContext, SessionSink, SessionState, StratumEnvironment } from './session-context.ts';
import { Vardiff } from './vardiff.ts';

type Handler = (ctx: SessionContext, request: StratumRequest, nowMs: number) => void;

const HANDLERS: ReadonlyMap<string, Handler> = new Map<string, Handler>([
  ['mining.submit', handleSubmit],
  ['mining.subscribe', handleSubscribe],
  ['mining.authorize', handleAuthorize],
  ['mining.configure', handleConfigure],
  ['mining.suggest_difficulty', handleSuggestDifficulty],
  ['mining.suggest_target', handleSuggestTarget],
  ['mining.extranonce.subscribe', handleExtranonceSubscribe],
]);

/** Methods that need no authorized worker; anything else waits for mining.authorize. */
const BEFORE_AUTHORIZE = new Set(['mining.subscribe', 'mining.authorize', 'mining.configure']);
const INVALID_REQUEST_PENALTY = 10;
/** Recent jobs whose difficulty a session remembers; older jobs are stale anyway. */
const MAX_REMEMBERED_JOBS = 32;
/**
 * Resends of one job a session gets for its difficulty changes; a miner changing its
 * difficulty in a loop (suggest_difficulty) cannot fill the registry with aliases, and
 * its later changes wait for the next job.
 */
const MAX_ALIASES_PER_JOB = 8;

/**
 * One miner's Stratum session: requests in, replies and notifications out through the
 * sink. No socket and no clock: the connection passes lines and the time.
 */
export class StratumSession implements SessionContext {
  readonly env: StratumEnvironment;
  readonly state: SessionState;
  readonly remoteAddress: string;
  readonly #sink: SessionSink;
  #announcedDifficulty: number | undefined;
  /** The job (not an alias) last sent, which a difficulty change sends again under a new id. */
  #sentJob: FeedJob | undefined;
  #aliasesOfSentJob = 0;
  #closed = false;

  constructor(env: StratumEnvironment, sink: SessionSink, remoteAddress: string, nowMs: number) {
    this.env = env;
    this.#sink = sink;
    this.remoteAddress = remoteAddress;
    this.state = {
      subscribed: false,
      extranonce1: undefined,
      extranonce1Number: undefined,
      userAgent: undefined,
      minerVersionMask: undefined,
      versionMask: 0,
      extranonceSubscribed: false,
      workers: new Map(),
      soloScript: undefined,
      vardiff: new Vardiff(env.settings.vardiff, nowMs),
      jobDifficulty: new Map(),
      registry: undefined,
      requestsBeforeAuthorize: 0,
      invalidStreak: 0,
      shareSession: {
        extranonce1: new Uint8Array(0),
        extranonce2Size: env.settings.extranonce2Size,
        versionMask: 0,
        shareTargetLE: new Uint8Array(32),
      },
    };
  }

  get authorized(): boolean {
    return this.state.workers.size > 0;
  }

  /** One line from the miner. */
  receive(line: string, nowMs: number): void {
    const parsed = parseLine(line);
    if (parsed.kind === 'response') {
      return;
    }
    if (parsed.kind === 'invalid') {
      this.fail(parsed.id, StratumErrorCode.Other, parsed.message);
      this.penalize(INVALID_REQUEST_PENALTY, parsed.message);
      return;
    }
    const { request } = parsed;
    if (!this.authorized && !BEFORE_AUTHORIZE.has(request.method)) {
      if (++this.state.requestsBeforeAuthorize > this.env.settings.maxRequestsBeforeAuthorize) {
        this.#sink.close('too many requests before mining.authorize');
        return;
      }
    }
    const handler = HANDLERS.get(request.method);
    if (handler) {
      handler(this, request, nowMs);
    } else {
      this.fail(request.id, StratumErrorCode.Other, `Unknown method ${request.method}`);
    }
  }

  /** A new template (or the first one): sends this session its current job. */
  sendCurrentJob(): void {
    const { registry } = this.state;
    if (!this.state.subscribed || !registry) {
      return;
    }
    const feedJob = this.#currentJob(registry);
    if (!feedJob) {
      return;
    }
    this.#followVersionMask();
    this.#rememberDifficulty(feedJob.job.id);
    // The same job again (a second mining.subscribe) keeps its count of aliases.
    if (feedJob !== this.#sentJob) {
      this.#sentJob = feedJob;
      this.#aliasesOfSentJob = 0;
    }
    this.#sink.send(feedJob.notifyLine);
  }

  #currentJob(registry: JobRegistry): FeedJob | undefined {
    try {
      return this.env.feed.jobFor(registry, this.state.soloScript);
    } catch (error) {
      this.env.events.problem('no job could be built for a session', error);
      return undefined;
    }
  }

  /** A job id sent now is judged at the difficulty in force now (see handleSubmit). */
  #rememberDifficulty(jobId: string): void {
    const { jobDifficulty } = this.state;
    jobDifficulty.set(jobId, this.state.vardiff.difficulty);
    if (jobDifficulty.size > MAX_REMEMBERED_JOBS) {
      const [oldest] = jobDifficulty.keys();
      if (oldest !== undefined) {
        jobDifficulty.delete(oldest);
      }
    }
  }

  /** The version mask this session may roll now: the miner's, the pool's, less signalling bits. */
  versionMaskNow(): number {
    const { minerVersionMask } = this.state;
    if (minerVersionMask === undefined) {
      return 0;
    }
    return (minerVersionMask & this.env.settings.versionMask & ~this.env.feed.signallingBits) >>> 0;
  }

  /** [BIP310: mining.set_version_mask] a template that signals inside the mask narrows it, at once. */
  #followVersionMask(): void {
    const mask = this.versionMaskNow();
    if (this.state.minerVersionMask === undefined || mask === this.state.versionMask) {
      return;
    }
    this.state.versionMask = mask;
    this.state.shareSession.versionMask = mask;
    this.#sink.send(encodeNotification('mining.set_version_mask', [u32ToHex(mask)]));
  }

  /** Time passing: vardiff lowers the difficulty of a session that has gone quiet. */
  tick(nowMs: number): void {
    if (!this.authorized) {
      return;
    }
    const next = this.state.vardiff.tick(nowMs);
    if (next !== undefined) {
      this.announceDifficulty(next);
    }
  }

  /**
   * [stratum: mining.set_difficulty] a changed difficulty, then the work to bind it to.
   * An unchanged one is not announced again: NerdMiner suggests the same every 30 s.
   */
  announceDifficulty(difficulty: number): void {
    if (difficulty !== this.#announcedDifficulty && this.state.subscribed) {
      this.#announcedDifficulty = difficulty;
      this.#sink.send(encodeSetDifficulty(difficulty));
      this.#resendJob();
    }
  }

  /**
   * [stratum: mining.set_difficulty] cpuminer and cgminer-family firmware apply a new
   * difficulty from the next mining.notify on; without one they mine at the old one until
   * the next template. So, as ckpool does, the job the session is on goes out again
   * under an id of its own, with clean_jobs false; the difficulty is remembered for that
   * id, and the old id keeps the easier of the two. Nothing is sent before the first job
   * (it follows anyway), nor when the current job is one this session has not had: it is
   * on its way (broadcastJob, or authorize's first SOLO job) and carries the difficulty.
   */
  #resendJob(): void {
    const { registry } = this.state;
    const sent = this.#sentJob;
    if (
      !registry ||
      !sent ||
      this.#aliasesOfSentJob >= MAX_ALIASES_PER_JOB ||
      this.#currentJob(registry) !== sent
    ) {
      return;
    }
    const alias = this.env.feed.aliasJob(registry, sent.job);
    if (!alias) {
      return;
    }
    this.#aliasesOfSentJob++;
    this.#rememberDifficulty(alias.id);
    this.#sink.send(alias.notifyLine);
  }

  reply(id: RequestId, result: unknown): void {
    this.#sink.send(encodeResult(id, result));
  }

  acknowledgeShare(id: RequestId): void {
    this.#sink.acknowledgeShare(id);
  }

  fail(id: RequestId, code: StratumErrorCode, message: string): void {
    this.#sink.send(encodeError(id, code, message));
  }

  penalize(points: number, reason: string): void {
    this.#sink.penalize(points, reason);
  }

  /** [stratum: client.reconnect] asks the miner to reconnect, here or to host:port after waitSeconds. */
  reconnect(target?: { host: string; port: number; waitSeconds: number }): void {
    const params = target ? [target.host, target.port, target.waitSeconds] : [];
    this.#sink.send(encodeNotification('client.reconnect', params));
  }

  /**
   * Moves the session to a new extranonce1 from the allocator's current range. A miner
   * that subscribed to extranonce changes is told with [NiceHash: mining.set_extranonce]
   * and uses it from the next job on (the caller sends one that cleans the old jobs);
   * another is asked to reconnect, and gets its new extranonce1 when it subscribes again.
   */
  moveExtranonce1(): 'moved' | 'reconnect' | 'not subscribed' {
    const { state, env } = this;
    if (!state.subscribed || state.extranonce1Number === undefined) {
      return 'not subscribed';
    }
    if (!state.extranonceSubscribed) {
      this.reconnect();
      return 'reconnect';
    }
    const previous = state.extranonce1Number;
    const extranonce1 = assignExtranonce1(state, env.extranonces.allocate());
    env.extranonces.release(previous);
    this.#sink.send(
      encodeNotification('mining.set_extranonce', [
        extranonce1.toString('hex'),
        env.settings.extranonce2Size,
      ]),
    );
    return 'moved';
  }

  /** [stratum: client.show_message] text for the miner's log or screen. */
  showMessage(text: string): void {
    this.#sink.send(encodeNotification('client.show_message', [text]));
  }

  /** The connection is gone: frees the extranonce1 for others. */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    if (this.state.extranonce1Number !== undefined) {
      this.env.extranonces.release(this.state.extranonce1Number);
    }
  }
}
