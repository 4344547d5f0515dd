import type { Logger } from 'pino';
import { RpcError, type BitcoinRpcClient } from '../../chain/rpc-client.ts';
import type { BlockLedger } from './block-ledger.ts';

/**
 * Follows pending blocks on the node: a block whose height now holds another hash is
 * orphaned; one that has gathered `maturity` confirmations (101: when Core's wallet
 * spends its coinbase) is confirmed and its credits become payable.
 */
export class BlockMaturity {
  readonly #rpc: BitcoinRpcClient;
  readonly #ledger: BlockLedger;
  readonly #maturity: number;
  readonly #log: Logger;

  constructor(rpc: BitcoinRpcClient, ledger: BlockLedger, maturity: number, log: Logger) {
    this.#rpc = rpc;
    this.#ledger = ledger;
    this.#maturity = maturity;
    this.#log = log;
  }

  async check(): Promise<void> {
    const pending = await this.#ledger.pending();
    if (pending.length === 0) {
      return;
    }
    const best = await this.#rpc.call<number>('getblockcount', [], { retries: 0 });
    for (const block of pending) {
      if (block.height > best) {
        continue; // the node has not reached that height (again) yet
      }
      let hashThere: string;
      try {
        hashThere = await this.#rpc.call<string>('getblockhash', [block.height], { retries: 0 });
      } catch (error) {
        if (error instanceof RpcError && error.rpcCode === -8) {
          continue; // height out of range: the chain shrank in a reorganization
        }
        throw error;
      }
      if (hashThere !== block.hash) {
        await this.#ledger.orphan(block);
        continue;
      }
      const confirmations = best - block.height + 1;
      if (confirmations >= this.#maturity) {
        await this.#ledger.mature(block, confirmations);
      } else {
        await this.#ledger.setConfirmations(block.hash, confirmations);
      }
    }
    this.#log.debug({ pending: pending.length, best }, 'ledger: block maturity checked');
  }
}
