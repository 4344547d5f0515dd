import type { Logger } from 'pino';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlockHeaderInfo, ChainTip } from './rpc-types.ts';
import { RpcError, RpcErrorCode, type BitcoinRpcClient, type CallOptions } from './rpc-client.ts';

/** A block the pool found, as it is recorded. */
export interface FoundBlock {
  readonly height: number;
  /** Display order, as explorers print it. */
  readonly hash: string;
  /** The coinbase value in satoshis: subsidy plus fees. */
  readonly reward: bigint;
  readonly fees: bigint;
  readonly networkDifficulty: number;
  readonly finder: { readonly account: string; readonly worker: string };
  /** Found on a SOLO coinbase: it paid the finder directly. */
  readonly solo: boolean;
  readonly foundAtMs: number;
}

/**
 * accepted: on the node's best chain. stale: valid, but another block won the height.
 * rejected: the node refused it (the reason says why). unknown: written by versions that
 * gave a block up when the node could not be asked; the submitter no longer does.
 */
export type BlockStatus = 'accepted' | 'stale' | 'rejected' | 'unknown';

export interface BlockOutcome extends FoundBlock {
  readonly status: BlockStatus;
  /** The node's submitblock answer or what settled the block's fate. */
  readonly detail: string;
}

/** Told each block's outcome once it is settled; the ledger implements it (journal, relay, books). */
export interface BlockRecorder {
  record(outcome: BlockOutcome): Promise<void>;
}

/** A found block not yet settled, with the bytes to offer the node again. */
export interface PendingBlock {
  readonly block: FoundBlock;
  readonly blockHex: string;
}

/**
 * Where unsettled blocks wait, durably, for the next start. The ledger implements it:
 * the submitter only needs the list, not how it is kept.
 */
export interface PendingBlockStore {
  add(pending: PendingBlock): Promise<void>;
  remove(hash: string): Promise<void>;
  /** Every pending block, and the entries that could not be read as one (left for a person). */
  list(): Promise<{ readonly blocks: readonly PendingBlock[]; readonly unreadable: readonly string[] }>;
}

export interface BlockSubmitterOptions {
  /** Blocks kept on disk until settled: offered again after a crash or a stop (`resume`). */
  readonly pending: PendingBlockStore;
  /** Other nodes offered every block too, so that it reaches the network if ours cannot take it. */
  readonly otherNodes?: readonly BitcoinRpcClient[];
  /** Waits between offers: from `firstRetryMs`, doubling, at most `maxRetryMs`. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
  /** Told when a block's first submitblock to the pool's node has been handed to the operating system. */
  readonly onFirstOffer?: (block: FoundBlock) => void;
}

/** [BIP22] submitblock answers that mean the node has the block, valid. */
const TAKEN = new Set(['duplicate', 'duplicate-inconclusive', 'inconclusive']);
/** A block is lost once the chain is this many blocks past its height without it. */
const BLOCKS_PAST_TO_GIVE_UP = 2;
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;
/** On stop, offers under way get this long to settle before they are called off (the block stays pending). */
const STOP_GRACE_MS = 5_000;
/**
 * The submit lane's connections are used this often, to stay open for the next block:
 * within the shortest idle limit of the servers in use (Node's HTTP server, the
 * devchain's, closes after 5 s; bitcoind after -rpcservertimeout, 30 s by default).
 */
const WARM_INTERVAL_MS = 4_000;
/** A block still unsettled is logged at its first failed offer and every so many after. */
const LOG_EVERY_ATTEMPTS = 10;

/** What one node said to one offer. */
type Offer =
  | { readonly kind: 'taken'; readonly answer: string }
  | { readonly kind: 'refused'; readonly answer: string }
  | { readonly kind: 'unsure'; readonly problem: string };

/** Where the node holds the block: on its best chain, on a branch, judged invalid, or not at all. */
type Place =
  | { readonly kind: 'best' }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'branch'; readonly tipHeight: number; readonly tipHash: string }
  | { readonly kind: 'missing'; readonly tipHeight: number; readonly tipHash: string }
  | { readonly kind: 'unknown'; readonly problem: string };

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Sends found blocks to the node (and to `otherNodes`), and never gives one up while it
 * can still win: until the node has it on its best chain (accepted), refuses it for what
 * it is (rejected), or has gone two blocks past its height without it (stale). Every
 * transient failure (HTTP 503, a timeout, a dropped connection, a node restarting) is
 * followed by asking the node whether it has the block after all (getblockheader,
 * getchaintips) and offering it again. Unsettled blocks wait on disk (`pending`) for
 * the next start. Each settled block is recorded once.
 */
export class BlockSubmitter {
  readonly #rpc: BitcoinRpcClient;
  readonly #recorder: BlockRecorder;
  readonly #log: Logger;
  readonly #pending: PendingBlockStore;
  readonly #otherNodes: readonly BitcoinRpcClient[];
  readonly #firstRetryMs: number;
  readonly #maxRetryMs: number;
  readonly #onFirstOffer: ((block: FoundBlock) => void) | undefined;
  /** Blocks being settled, by hash: a resume leaves them alone. */
  readonly #settling = new Map<string, Promise<BlockOutcome | undefined>>();
  readonly #stop = new AbortController();
  #warmTimer: NodeJS.Timeout | undefined;

  constructor(rpc: BitcoinRpcClient, recorder: BlockRecorder, log: Logger, options: BlockSubmitterOptions) {
    this.#rpc = rpc;
    this.#recorder = recorder;
    this.#log = log;
    this.#pending = options.pending;
    this.#otherNodes = options.otherNodes ?? [];
    this.#firstRetryMs = options.firstRetryMs ?? FIRST_RETRY_MS;
    this.#maxRetryMs = options.maxRetryMs ?? MAX_RETRY_MS;
    this.#onFirstOffer = options.onFirstOffer;
  }

  /**
   * Offers a found block at once, keeps it on disk meanwhile, and resolves with its
   * recorded outcome; undefined when the submitter stopped first (it stays pending).
   * `blockHex` empty: a block the pool cannot build (a Stratum V2 Coinbase-only job's, whose
   * miner kept its transactions and broadcasts it): nothing is offered, and the node is
   * asked where the block is until it settles.
   */
  submit(block: FoundBlock, blockHex: string): Promise<BlockOutcome | undefined> {
    this.#log.info(
      { height: block.height, hash: block.hash, finder: block.finder.worker },
      'chain: block found, submitting',
    );
    const running = this.#settling.get(block.hash);
    if (running) {
      return running;
    }
    // The offer goes out before the disk write: a block found is a race.
    const settled = this.#settle(block, blockHex);
    const kept = this.#pending.add({ block, blockHex }).then(
      () => true,
      (error: unknown) => {
        this.#log.error(
          { err: error, height: block.height, hash: block.hash, blockHex },
          'chain: a found block could not be kept on disk; it is offered from memory only',
        );
        return false;
      },
    );
    return this.#track(
      block,
      (async () => {
        const outcome = await settled;
        await kept;
        return outcome === undefined ? undefined : this.#finish(outcome);
      })(),
    );
  }

  /**
   * Keeps a connection to each node open for the next found block, with a call every
   * `intervalMs` on the submit lane, so that a block does not wait for a connect.
   */
  keepConnectionWarm(intervalMs = WARM_INTERVAL_MS): void {
    const touch = (): void => {
      for (const node of [this.#rpc, ...this.#otherNodes]) {
        node.call('getbestblockhash', [], this.#options()).catch((error: unknown) => {
          this.#log.debug(
            { node: node.endpoint, problem: problemOf(error) },
            'chain: submit connection not kept',
          );
        });
      }
    };
    touch();
    this.#warmTimer = setInterval(touch, intervalMs);
    this.#warmTimer.unref();
  }

  /** Offers again the blocks an earlier run left unsettled; resolves when all are settled. */
  async resume(): Promise<readonly (BlockOutcome | undefined)[]> {
    const { blocks, unreadable } = await this.#pending.list();
    if (unreadable.length > 0) {
      this.#log.error(
        { files: unreadable },
        'chain: pending block files that are not blocks; left for a person',
      );
    }
    const waiting = blocks.filter(({ block }) => !this.#settling.has(block.hash));
    if (waiting.length > 0) {
      this.#log.warn(
        { blocks: waiting.map(({ block }) => ({ height: block.height, hash: block.hash })) },
        'chain: offering again the found blocks an earlier run left unsettled',
      );
    }
    return Promise.all(
      waiting.map(({ block, blockHex }) =>
        this.#track(
          block,
          (async () => {
            const outcome = await this.#settle(block, blockHex);
            return outcome === undefined ? undefined : this.#finish(outcome);
          })(),
        ),
      ),
    );
  }

  /**
   * Stops offering: blocks under way get a few seconds to settle, then their calls are
   * called off and they stay on disk for the next start.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<void> {
    clearInterval(this.#warmTimer);
    const all = Promise.all(this.#settling.values());
    const grace = sleep(graceMs, undefined, { ref: false });
    await Promise.race([all, grace]);
    this.#stop.abort();
    await all;
  }

  #track(block: FoundBlock, settling: Promise<BlockOutcome | undefined>): Promise<BlockOutcome | undefined> {
    const tracked = settling.finally(() => {
      this.#settling.delete(block.hash);
    });
    this.#settling.set(block.hash, tracked);
    return tracked;
  }

  async #settle(block: FoundBlock, blockHex: string): Promise<BlockOutcome | undefined> {
    let delayMs = this.#firstRetryMs;
    for (let attempt = 1; ; attempt++) {
      const offers = await Promise.all(
        (blockHex === '' ? [] : [this.#rpc, ...this.#otherNodes]).map((node) =>
          this.#offer(
            node,
            blockHex,
            attempt === 1 && node === this.#rpc && this.#onFirstOffer
              ? () => this.#onFirstOffer?.(block)
              : undefined,
          ),
        ),
      );
      const taken = offers.find((offer) => offer.kind === 'taken');
      const refused = offers.find((offer) => offer.kind === 'refused');
      if (refused && !taken) {
        return { ...block, status: 'rejected', detail: refused.answer };
      }
      const place = await this.#locate(block);
      const outcome = this.#judge(block, place, taken?.answer);
      if (outcome) {
        if (attempt > 1) {
          this.#log.info({ height: block.height, hash: block.hash, attempt }, 'chain: found block settled');
        }
        return outcome;
      }
      if (attempt === 1 || attempt % LOG_EVERY_ATTEMPTS === 0) {
        this.#log.warn(
          {
            height: block.height,
            hash: block.hash,
            attempt,
            offers: offers.map((offer) => (offer.kind === 'unsure' ? offer.problem : offer.answer)),
            place: place.kind === 'unknown' ? place.problem : place.kind,
          },
          'chain: found block not settled yet; offering it again',
        );
      }
      try {
        await sleep(delayMs, undefined, { signal: this.#stop.signal });
      } catch {
        return undefined;
      }
      delayMs = Math.min(delayMs * 2, this.#maxRetryMs);
    }
  }

  /** The block's fate from where the node holds it, or undefined while it can still go either way. */
  #judge(block: FoundBlock, place: Place, answer: string | undefined): BlockOutcome | undefined {
    switch (place.kind) {
      case 'best':
        return { ...block, status: 'accepted', detail: answer ?? 'on the best chain' };
      case 'invalid':
        return { ...block, status: 'rejected', detail: answer ?? 'the node marked it invalid' };
      case 'branch':
      case 'missing':
        if (place.tipHeight < block.height + BLOCKS_PAST_TO_GIVE_UP) {
          return undefined;
        }
        return {
          ...block,
          status: 'stale',
          detail:
            place.kind === 'branch'
              ? `valid, but the best chain went on without it (tip ${place.tipHash} at ${String(place.tipHeight)})`
              : `never reached the node before the chain went on without it (tip ${place.tipHash} at ${String(place.tipHeight)})`,
        };
      case 'unknown':
        return undefined;
    }
  }

  #options(): CallOptions {
    return { lane: 'submit', retries: 0, signal: this.#stop.signal };
  }

  async #offer(node: BitcoinRpcClient, blockHex: string, onSent: (() => void) | undefined): Promise<Offer> {
    try {
      const answer = await node.call<string | null>('submitblock', [blockHex], {
        ...this.#options(),
        ...(onSent && { onSent }),
      });
      if (answer === null || TAKEN.has(answer)) {
        return { kind: 'taken', answer: answer ?? 'accepted' };
      }
      return { kind: 'refused', answer };
    } catch (error) {
      // A bitcoind error (a block that does not decode, -22) is an answer; any other
      // failure says nothing of the block.
      if (error instanceof RpcError && error.kind === 'rpc') {
        return { kind: 'refused', answer: error.message };
      }
      return { kind: 'unsure', problem: `${node.endpoint}: ${problemOf(error)}` };
    }
  }

  async #locate(block: FoundBlock): Promise<Place> {
    const options = this.#options();
    try {
      let header: BlockHeaderInfo | undefined;
      try {
        header = await this.#rpc.call<BlockHeaderInfo>('getblockheader', [block.hash, true], options);
      } catch (error) {
        if (!(error instanceof RpcError && error.rpcCode === RpcErrorCode.InvalidAddressOrKey)) {
          throw error;
        }
      }
      if (header && header.confirmations >= 1) {
        return { kind: 'best' };
      }
      // [Bitcoin Core src/rpc/blockchain.cpp: getchaintips] the branch's status says
      // whether the node found the block invalid; the active tip how far the chain went.
      const tips = await this.#rpc.call<ChainTip[]>('getchaintips', [], options);
      const active = tips.find((tip) => tip.status === 'active');
      if (!active) {
        return { kind: 'unknown', problem: 'getchaintips named no active tip' };
      }
      if (header === undefined) {
        return { kind: 'missing', tipHeight: active.height, tipHash: active.hash };
      }
      const ours = tips.find((tip) => tip.hash === block.hash);
      if (ours?.status === 'invalid') {
        return { kind: 'invalid' };
      }
      return { kind: 'branch', tipHeight: active.height, tipHash: active.hash };
    } catch (error) {
      return { kind: 'unknown', problem: problemOf(error) };
    }
  }

  async #finish(outcome: BlockOutcome): Promise<BlockOutcome> {
    const level = outcome.status === 'accepted' ? 'info' : 'error';
    this.#log[level](
      { height: outcome.height, hash: outcome.hash, status: outcome.status, detail: outcome.detail },
      'chain: block submitted',
    );
    try {
      await this.#recorder.record(outcome);
      await this.#pending.remove(outcome.hash);
    } catch (error) {
      // Left pending: the next start settles it again and records it then.
      this.#log.error(
        {
          err: error,
          block: { ...outcome, reward: outcome.reward.toString(), fees: outcome.fees.toString() },
        },
        'chain: could not record a found block; it stays pending',
      );
    }
    return outcome;
  }
}
