import type { Logger } from 'pino';
import type { BlockHeaderInfo } from './rpc-types.ts';
import { RpcError, type BitcoinRpcClient } from './rpc-client.ts';

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
 * rejected: the node refused it (the reason says why). unknown: the node could not be asked.
 */
export type BlockStatus = 'accepted' | 'stale' | 'rejected' | 'unknown';

export interface BlockOutcome extends FoundBlock {
  readonly status: BlockStatus;
  /** The node's submitblock answer or the error met. */
  readonly detail: string;
}

/** Where found blocks are written down; the ledger's database implements it too. */
export interface BlockRecorder {
  record(outcome: BlockOutcome): Promise<void>;
}

/** [BIP22] submitblock answers that mean the node has the block. */
const ALREADY_HAVE = new Set(['duplicate', 'duplicate-inconclusive']);
/** Attempts at submitblock when the node is unreachable: a block is worth waiting for. */
const SUBMIT_RETRIES = 5;

/** Sends found blocks to the node, checks they landed on its best chain, and records them. */
export class BlockSubmitter {
  readonly #rpc: BitcoinRpcClient;
  readonly #recorder: BlockRecorder;
  readonly #log: Logger;

  constructor(rpc: BitcoinRpcClient, recorder: BlockRecorder, log: Logger) {
    this.#rpc = rpc;
    this.#recorder = recorder;
    this.#log = log;
  }

  async submit(block: FoundBlock, blockHex: string): Promise<BlockOutcome> {
    this.#log.info(
      { height: block.height, hash: block.hash, finder: block.finder.worker },
      'chain: block found, submitting',
    );
    let outcome: BlockOutcome;
    try {
      const answer = await this.#rpc.call<string | null>('submitblock', [blockHex], {
        retries: SUBMIT_RETRIES,
      });
      outcome =
        answer === null || ALREADY_HAVE.has(answer)
          ? await this.#confirm(block, answer ?? 'accepted')
          : { ...block, status: answer === 'inconclusive' ? 'stale' : 'rejected', detail: answer };
    } catch (error) {
      outcome = {
        ...block,
        status: error instanceof RpcError && error.kind === 'rpc' ? 'rejected' : 'unknown',
        detail: error instanceof Error ? error.message : String(error),
      };
    }
    const level = outcome.status === 'accepted' ? 'info' : 'error';
    this.#log[level](
      { height: block.height, hash: block.hash, status: outcome.status, detail: outcome.detail },
      'chain: block submitted',
    );
    try {
      await this.#recorder.record(outcome);
    } catch (error) {
      this.#log.error(
        {
          err: error,
          block: { ...outcome, reward: outcome.reward.toString(), fees: outcome.fees.toString() },
        },
        'chain: could not record a found block',
      );
    }
    return outcome;
  }

  /** submitblock said yes: is the block on the node's best chain now? */
  async #confirm(block: FoundBlock, answer: string): Promise<BlockOutcome> {
    try {
      const header = await this.#rpc.call<BlockHeaderInfo>('getblockheader', [block.hash, true]);
      if (header.confirmations >= 1) {
        return { ...block, status: 'accepted', detail: answer };
      }
      const best = await this.#rpc.call<string>('getbestblockhash');
      return { ...block, status: 'stale', detail: `not on the best chain (tip ${best})` };
    } catch (error) {
      return {
        ...block,
        status: 'unknown',
        detail: `submitted, not confirmed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
}
