import { encodeVarInt } from './bytes.ts';
import type { Job } from './job.ts';
import { WITNESS_RESERVED_VALUE } from './witness.ts';

/** [BIP144] marker and flag after the version. */
const SEGWIT_MARKER_FLAG = Buffer.from([0x00, 0x01]);
/** One witness stack item of 32 bytes: the reserved value. */
const COINBASE_WITNESS = Buffer.concat([Buffer.from([0x01, 0x20]), WITNESS_RESERVED_VALUE]);

/** The coinbase as it goes into the block: with the witness reserved value when segwit asks for it. */
export function coinbaseForBlock(job: Job, extranonce1: Uint8Array, extranonce2: Uint8Array): Buffer {
  const { coinb1, coinb2, witness } = job.coinbase;
  const stripped = Buffer.concat([coinb1, extranonce1, extranonce2, coinb2]);
  if (!witness) {
    return stripped;
  }
  return Buffer.concat([
    stripped.subarray(0, 4),
    SEGWIT_MARKER_FLAG,
    stripped.subarray(4, stripped.length - 4),
    COINBASE_WITNESS,
    stripped.subarray(stripped.length - 4),
  ]);
}

/** The serialized block for submitblock: header, transaction count, coinbase, the template's transactions. */
export function assembleBlock(
  job: Job,
  extranonce1: Uint8Array,
  extranonce2: Uint8Array,
  header: Uint8Array,
): Buffer {
  if (header.length !== 80) {
    throw new RangeError('a block header is 80 bytes');
  }
  const { transactions } = job.template;
  return Buffer.concat([
    header,
    encodeVarInt(transactions.length + 1),
    coinbaseForBlock(job, extranonce1, extranonce2),
    ...transactions,
  ]);
}
