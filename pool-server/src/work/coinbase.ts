import { script as bitcoinScript } from 'bitcoinjs-lib';
import { encodeVarInt, u32LE } from './bytes.ts';
import type { PreparedTemplate } from './template.ts';

/** extranonce1 is 4 bytes: a 32-bit session id, unique across every live session. */
export const EXTRANONCE1_SIZE = 4;
export const EXTRANONCE2_MIN_SIZE = 2;
export const EXTRANONCE2_MAX_SIZE = 8;

/** [consensus] a coinbase scriptSig is 2 to 100 bytes (Bitcoin Core CheckTransaction, bad-cb-length). */
const SCRIPTSIG_MIN = 2;
const SCRIPTSIG_MAX = 100;
const COINBASE_TX_VERSION = 2;
/** [BIP54] the coinbase sequence must not be final (0xffffffff) so its locktime counts. */
const COINBASE_SEQUENCE = 0xfffffffe;
/** [BIP141] marker + flag, one stack item, its length byte and the 32-byte reserved value. */
const WITNESS_EXTRA_BYTES = 2 + 1 + 1 + 32;
const HEADER_BYTES = 80;
const OP_CHECKSIG = 0xac;
const OP_CHECKSIGVERIFY = 0xad;
const OP_CHECKMULTISIG = 0xae;
const OP_CHECKMULTISIGVERIFY = 0xaf;
/** Bitcoin Core's MAX_PUBKEYS_PER_MULTISIG: the legacy count charges a multisig this much. */
const MULTISIG_SIGOPS = 20;

/** One recipient of the coinbase value, with its share as an integer weight. */
export interface CoinbasePayout {
  readonly script: Uint8Array;
  readonly weight: number;
}

export interface CoinbaseOptions {
  /** Bytes the pool signs its blocks with, carried in the scriptSig. */
  readonly poolTag: Uint8Array;
  readonly extranonce2Size: number;
  /** One pool address; or, for SOLO, the finder's address (and the pool's fee, if any). */
  readonly payouts: readonly CoinbasePayout[];
}

export interface CoinbaseOutput {
  readonly script: Buffer;
  readonly value: bigint;
}

/** [stratum: mining.notify] The coinbase split around extranonce1 || extranonce2. */
export interface Coinbase {
  /** Non-witness serialization up to the extranonces. */
  readonly coinb1: Buffer;
  /** Non-witness serialization after the extranonces. */
  readonly coinb2: Buffer;
  readonly extranonce2Size: number;
  readonly outputs: readonly CoinbaseOutput[];
  /** In the block the coinbase carries the witness reserved value ([BIP141]). */
  readonly witness: boolean;
}

export class CoinbaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CoinbaseError';
  }
}

/** [BIP34] The block height as the first push of the scriptSig: CScript() << height. */
export function encodeHeightPush(height: number): Buffer {
  if (!Number.isSafeInteger(height) || height < 0) {
    throw new RangeError(`height must be a non-negative integer, got ${String(height)}`);
  }
  if (height === 0) {
    return Buffer.from([0x00]);
  }
  if (height <= 16) {
    return Buffer.from([0x50 + height]); // OP_1 … OP_16
  }
  const bytes: number[] = [];
  for (let rest = height; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.push(rest % 256);
  }
  // A set top bit would make the script number negative: add a sign byte.
  if (((bytes.at(-1) ?? 0) & 0x80) !== 0) {
    bytes.push(0);
  }
  return Buffer.from([bytes.length, ...bytes]);
}

function pushData(data: Uint8Array): Buffer {
  if (data.length === 0) {
    return Buffer.alloc(0);
  }
  if (data.length > 75) {
    throw new CoinbaseError(
      `a scriptSig push of ${String(data.length)} bytes exceeds the 75-byte direct push`,
    );
  }
  return Buffer.concat([Buffer.from([data.length]), data]);
}

/** Splits `total` by weight; rounding leftovers go to the first payout so the sum is exact. */
export function splitCoinbaseValue(total: bigint, payouts: readonly CoinbasePayout[]): bigint[] {
  if (payouts.length === 0) {
    throw new CoinbaseError('the coinbase needs at least one payout');
  }
  let weightSum = 0n;
  for (const payout of payouts) {
    if (!Number.isSafeInteger(payout.weight) || payout.weight <= 0) {
      throw new CoinbaseError(`a payout weight must be a positive integer, got ${String(payout.weight)}`);
    }
    weightSum += BigInt(payout.weight);
  }
  const values = payouts.map((payout) => (total * BigInt(payout.weight)) / weightSum);
  const assigned = values.reduce((sum, value) => sum + value, 0n);
  values[0] = (values[0] ?? 0n) + (total - assigned);
  return values;
}

/** Bitcoin Core's GetSigOpCount(false): the legacy count, multisig charged at 20. */
export function countLegacySigops(script: Uint8Array): number {
  const chunks = bitcoinScript.decompile(script) ?? [];
  let count = 0;
  for (const chunk of chunks) {
    if (chunk === OP_CHECKSIG || chunk === OP_CHECKSIGVERIFY) {
      count += 1;
    } else if (chunk === OP_CHECKMULTISIG || chunk === OP_CHECKMULTISIGVERIFY) {
      count += MULTISIG_SIGOPS;
    }
  }
  return count;
}

function serializeOutput(output: CoinbaseOutput): Buffer {
  const value = Buffer.alloc(8);
  value.writeBigUInt64LE(output.value);
  return Buffer.concat([value, encodeVarInt(output.script.length), output.script]);
}

function checkBlockLimits(
  template: PreparedTemplate,
  coinbaseBytes: number,
  witness: boolean,
  sigops: number,
): void {
  const txCountBytes = encodeVarInt(template.transactions.length + 1).length;
  const coinbaseWeight = 4 * coinbaseBytes + (witness ? WITNESS_EXTRA_BYTES : 0);
  const weight = 4 * (HEADER_BYTES + txCountBytes) + coinbaseWeight + template.transactionWeight;
  if (template.weightLimit !== undefined && weight > template.weightLimit) {
    throw new CoinbaseError(
      `the block would weigh ${String(weight)}, above the template's weightlimit ${String(template.weightLimit)}`,
    );
  }
  const size =
    HEADER_BYTES +
    txCountBytes +
    coinbaseBytes +
    (witness ? WITNESS_EXTRA_BYTES : 0) +
    template.transactionBytes;
  if (template.sizeLimit !== undefined && size > template.sizeLimit) {
    throw new CoinbaseError(
      `the block would be ${String(size)} bytes, above the template's sizelimit ${String(template.sizeLimit)}`,
    );
  }
  // Under segwit the limit is in sigop cost: 4 per legacy sigop.
  const totalSigops = (template.segwit ? 4 : 1) * sigops + template.transactionSigops;
  if (template.sigopLimit !== undefined && totalSigops > template.sigopLimit) {
    throw new CoinbaseError(
      `the block would count ${String(totalSigops)} sigops, above the template's sigoplimit ${String(template.sigopLimit)}`,
    );
  }
}

/**
 * Builds the coinbase for a template. scriptSig = BIP34 height, the template's
 * coinbaseaux bytes, a push of extranonce1 || extranonce2, and a push of the pool tag.
 * Outputs pay exactly `coinbasevalue`, then the witness commitment when the template has one.
 */
export function buildCoinbase(template: PreparedTemplate, options: CoinbaseOptions): Coinbase {
  const { extranonce2Size } = options;
  if (
    !Number.isInteger(extranonce2Size) ||
    extranonce2Size < EXTRANONCE2_MIN_SIZE ||
    extranonce2Size > EXTRANONCE2_MAX_SIZE
  ) {
    throw new CoinbaseError(
      `extranonce2 size must be ${String(EXTRANONCE2_MIN_SIZE)} to ${String(EXTRANONCE2_MAX_SIZE)} bytes, got ${String(extranonce2Size)}`,
    );
  }
  const extranonceSize = EXTRANONCE1_SIZE + extranonce2Size;
  const scriptSigHead = Buffer.concat([
    encodeHeightPush(template.height),
    template.coinbaseAux,
    Buffer.from([extranonceSize]),
  ]);
  const scriptSigTail = pushData(options.poolTag);
  const scriptSigLength = scriptSigHead.length + extranonceSize + scriptSigTail.length;
  if (scriptSigLength < SCRIPTSIG_MIN || scriptSigLength > SCRIPTSIG_MAX) {
    throw new CoinbaseError(
      `the coinbase scriptSig would be ${String(scriptSigLength)} bytes; it must be ${String(SCRIPTSIG_MIN)} to ${String(SCRIPTSIG_MAX)} (shorten the pool tag)`,
    );
  }

  const values = splitCoinbaseValue(template.coinbaseValue, options.payouts);
  const outputs: CoinbaseOutput[] = [];
  options.payouts.forEach((payout, index) => {
    const value = values[index] ?? 0n;
    // A share that rounds to nothing is dropped: its leftovers already went to the first payout.
    if (value > 0n || index === 0) {
      outputs.push({ script: Buffer.from(payout.script), value });
    }
  });
  const witness = template.witnessCommitment !== undefined && template.segwit;
  if (template.witnessCommitment !== undefined) {
    outputs.push({ script: template.witnessCommitment, value: 0n });
  }

  const coinb1 = Buffer.concat([
    u32LE(COINBASE_TX_VERSION),
    Buffer.from([1]),
    Buffer.alloc(32),
    u32LE(0xffffffff), // the null prevout index
    encodeVarInt(scriptSigLength),
    scriptSigHead,
  ]);
  const coinb2 = Buffer.concat([
    scriptSigTail,
    u32LE(COINBASE_SEQUENCE),
    encodeVarInt(outputs.length),
    ...outputs.map(serializeOutput),
    u32LE(Math.max(template.height - 1, 0)), // [BIP54] locktime = height - 1
  ]);

  const scriptSig = Buffer.concat([scriptSigHead, Buffer.alloc(extranonceSize), scriptSigTail]);
  const sigops =
    countLegacySigops(scriptSig) + outputs.reduce((sum, output) => sum + countLegacySigops(output.script), 0);
  checkBlockLimits(template, coinb1.length + extranonceSize + coinb2.length, witness, sigops);

  return { coinb1, coinb2, extranonce2Size, outputs, witness };
}
