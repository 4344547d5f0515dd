/**
 * A coinbase a Job Declarator Client declares, read and checked: [sv2 6.4.4] DeclareMiningJob
 * carries it whole (BIP141 fields kept) around the extranonce, [sv2 5.3.18] SetCustomMiningJob
 * again as fields (version, scriptSig prefix, nSequence, outputs, locktime). Pure.
 *
 * The extranonce is the pool's full extended extranonce (4 bytes of extranonce1 and the
 * extranonce2 bytes an extended channel rolls) and must end the scriptSig: SetCustomMiningJob
 * can only place it there.
 */
import { Transaction } from 'bitcoinjs-lib';
import { encodeVarInt, u32LE } from '../../work/bytes.ts';
import { countLegacySigops, encodeHeightPush } from '../../work/coinbase.ts';
import { WITNESS_RESERVED_VALUE } from '../../work/witness.ts';

/** [BIP141] OP_RETURN, push 36 bytes, the commitment header aa21a9ed. */
const COMMITMENT_HEADER = Buffer.from('6a24aa21a9ed', 'hex');
const COMMITMENT_SCRIPT_BYTES = 38;
/** [consensus] a coinbase scriptSig is 2 to 100 bytes (Bitcoin Core CheckTransaction, bad-cb-length). */
export const SCRIPTSIG_MAX = 100;

export interface DeclaredOutput {
  readonly script: Buffer;
  readonly value: bigint;
}

/** [sv2 5.3.18] The coinbase as SetCustomMiningJob carries it, field by field. */
export interface CoinbaseFields {
  readonly version: number;
  /** The scriptSig bytes before the extranonce: SetCustomMiningJob's coinbase_prefix. */
  readonly scriptSigPrefix: Buffer;
  readonly sequence: number;
  /** The outputs as SetCustomMiningJob carries them: a CompactSize count, then each output. */
  readonly outputsBytes: Buffer;
  readonly locktime: number;
}

export interface DeclaredCoinbase extends CoinbaseFields {
  readonly outputs: readonly DeclaredOutput[];
  /** [BIP141] the witness commitment the coinbase makes (its last such output), if any. */
  readonly witnessCommitment: Buffer | undefined;
  /** [BIP141] The coinbase's witness is the one reserved value every pool uses (32 zero bytes). */
  readonly witnessReservedValue: boolean;
  /** Weight units, with the extranonce counted. */
  readonly weight: number;
  readonly legacySigops: number;
}

/** [sv2 6.4.3] The pool's outputs for AllocateMiningJobToken.Success: its payout script, at 0 sats. */
export function poolCoinbaseOutputs(poolScript: Buffer): Buffer {
  return Buffer.concat([encodeVarInt(1), serializeOutput({ script: poolScript, value: 0n })]);
}

function serializeOutput(output: DeclaredOutput): Buffer {
  const value = Buffer.alloc(8);
  value.writeBigUInt64LE(output.value);
  return Buffer.concat([value, encodeVarInt(output.script.length), output.script]);
}

/** The coinbase declared as prefix and suffix around `extranonceSize` bytes; a string says what is wrong. */
export function readDeclaredCoinbase(
  prefix: Buffer,
  suffix: Buffer,
  extranonceSize: number,
  height: number,
): DeclaredCoinbase | string {
  const whole = Buffer.concat([prefix, Buffer.alloc(extranonceSize), suffix]);
  let tx: Transaction;
  try {
    tx = Transaction.fromBuffer(whole);
  } catch (error) {
    return `the coinbase does not parse as a transaction: ${(error as Error).message}`;
  }
  const [input, ...moreInputs] = tx.ins;
  if (!input || moreInputs.length > 0 || !tx.isCoinbase()) {
    return 'the coinbase must have exactly one input, spending the null outpoint';
  }
  if (!Buffer.from(tx.toBuffer()).equals(whole)) {
    return 'the coinbase is not in its canonical serialization';
  }
  const scriptSig = Buffer.from(input.script);
  if (scriptSig.length > SCRIPTSIG_MAX) {
    return `the scriptSig is ${String(scriptSig.length)} bytes, above ${String(SCRIPTSIG_MAX)}`;
  }
  // The scriptSig ends where the prefix ends plus the extranonce: nothing may follow the extranonce.
  const scriptSigEnd = prefix.length + extranonceSize;
  const scriptSigStart = scriptSigEnd - scriptSig.length;
  if (scriptSigStart < 0 || !whole.subarray(scriptSigStart, scriptSigEnd).equals(scriptSig)) {
    return `the scriptSig must end with the ${String(extranonceSize)}-byte extranonce`;
  }
  const scriptSigPrefix = scriptSig.subarray(0, scriptSig.length - extranonceSize);
  const heightPush = encodeHeightPush(height);
  if (!scriptSigPrefix.subarray(0, heightPush.length).equals(heightPush)) {
    return `the scriptSig must start with the block height ${String(height)} [BIP34]`;
  }
  const outputs = tx.outs.map((out) => ({ script: Buffer.from(out.script), value: out.value }));
  const witness = input.witness;
  let witnessCommitment: Buffer | undefined;
  for (const output of outputs) {
    if (
      output.script.length >= COMMITMENT_SCRIPT_BYTES &&
      output.script.subarray(0, COMMITMENT_HEADER.length).equals(COMMITMENT_HEADER)
    ) {
      witnessCommitment = output.script.subarray(COMMITMENT_HEADER.length, COMMITMENT_SCRIPT_BYTES);
    }
  }
  return {
    version: tx.version,
    scriptSigPrefix,
    sequence: input.sequence,
    outputs,
    outputsBytes: Buffer.concat([encodeVarInt(outputs.length), ...outputs.map(serializeOutput)]),
    locktime: tx.locktime,
    witnessCommitment,
    witnessReservedValue:
      witness.length === 1 && Buffer.from(witness[0] ?? []).equals(WITNESS_RESERVED_VALUE),
    weight: tx.weight(),
    legacySigops:
      countLegacySigops(scriptSig) +
      outputs.reduce((sum, output) => sum + countLegacySigops(output.script), 0),
  };
}

/**
 * [sv2 6.3.1] A coinbase only SetCustomMiningJob carried (Coinbase-only mode: no
 * DeclareMiningJob), serialized without BIP141 fields and read as a declared one; a string
 * says what is wrong.
 */
export function readCoinbaseFields(
  fields: CoinbaseFields,
  extranonceSize: number,
  height: number,
): DeclaredCoinbase | string {
  const { coinb1, coinb2 } = splitDeclaredCoinbase(fields, extranonceSize);
  return readDeclaredCoinbase(coinb1, coinb2, extranonceSize, height);
}

/**
 * [stratum: mining.notify] The declared coinbase's non-witness serialization split around
 * the extranonce, as a job's coinb1 and coinb2.
 */
export function splitDeclaredCoinbase(
  coinbase: CoinbaseFields,
  extranonceSize: number,
): { readonly coinb1: Buffer; readonly coinb2: Buffer } {
  const coinb1 = Buffer.concat([
    u32LE(coinbase.version),
    encodeVarInt(1),
    Buffer.alloc(32),
    u32LE(0xffffffff),
    encodeVarInt(coinbase.scriptSigPrefix.length + extranonceSize),
    coinbase.scriptSigPrefix,
  ]);
  const coinb2 = Buffer.concat([u32LE(coinbase.sequence), coinbase.outputsBytes, u32LE(coinbase.locktime)]);
  return { coinb1, coinb2 };
}
