/**
 * Found blocks seen from outside the pool: each block the devchain connected, matched to
 * the load generator's share that made it, for the time from the share's send to the
 * node having the block. The pool's own timing (stratumVitals) starts later, inside it;
 * this one also holds the loopback, the Stratum thread's queue and the RPC to the node.
 */
import type { MinerSends } from './stratum-throughput.ts';

/** A block the devchain connected: when (ms since the epoch), its header's nonce, its coinbase's start. */
export interface ConnectedBlock {
  readonly at: number;
  readonly nonce: number;
  /** Hex of the bytes after the header: the transaction count, then the coinbase with the extranonces. */
  readonly coinbaseHex: string;
}

/** The bytes after the header that hold the coinbase's extranonces (its script comes within ~50 bytes). */
const COINBASE_BYTES = 160;

export function connectedBlock(at: number, raw: Buffer): ConnectedBlock {
  return {
    at,
    nonce: raw.readUInt32LE(76),
    coinbaseHex: raw.subarray(80, 80 + COINBASE_BYTES).toString('hex'),
  };
}

/**
 * For each block a load share made (its miner's extranonce2 in the coinbase, its nonce
 * the share's), ms from that share's send to the block's connection; `unmatched` counts
 * the blocks no recorded share made.
 */
export function sendToConnect(
  blocks: readonly ConnectedBlock[],
  sends: readonly MinerSends[],
): { readonly ms: number[]; readonly unmatched: number } {
  const ms: number[] = [];
  for (const block of blocks) {
    const miner = sends.find(({ extranonce2 }) => block.coinbaseHex.includes(extranonce2));
    const sentAt = miner?.sentAt[block.nonce - 1];
    if (sentAt !== undefined) {
      ms.push(block.at - sentAt);
    }
  }
  return { ms, unmatched: blocks.length - ms.length };
}
