import { merkleRoot } from './merkle.ts';
import { sha256d } from './sha256d.ts';

/** [BIP141] Every pool uses 32 zero bytes as the witness reserved value. */
export const WITNESS_RESERVED_VALUE = Buffer.alloc(32);

/** [BIP141] OP_RETURN, push 36 bytes, the commitment header aa21a9ed. */
const COMMITMENT_PREFIX = Buffer.from('6a24aa21a9ed', 'hex');

/**
 * The witness commitment output script for a block whose non-coinbase transactions
 * have these wtxids (internal order); the coinbase's wtxid counts as 32 zero bytes.
 */
export function witnessCommitmentScript(wtxids: readonly Buffer[]): Buffer {
  const root = merkleRoot([Buffer.alloc(32), ...wtxids]);
  return Buffer.concat([COMMITMENT_PREFIX, sha256d(Buffer.concat([root, WITNESS_RESERVED_VALUE]))]);
}
