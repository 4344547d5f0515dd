import { isHex, reverseBytes, swapWords32 } from './bytes.ts';
import { merkleBranch } from './merkle.ts';
import { sha256d } from './sha256d.ts';
import { decodeCompact, targetToBytesLE } from './target.ts';

/** The getblocktemplate fields the work engine reads ([BIP22], [BIP23], [BIP145]). */
export interface BlockTemplate {
  readonly version: number;
  readonly rules?: readonly string[];
  readonly previousblockhash: string;
  readonly transactions: readonly TemplateTransaction[];
  readonly coinbaseaux?: Readonly<Record<string, string>>;
  readonly coinbasevalue: number;
  readonly mintime: number;
  readonly curtime: number;
  readonly bits: string;
  readonly height: number;
  readonly default_witness_commitment?: string;
  readonly sigoplimit?: number;
  readonly sizelimit?: number;
  readonly weightlimit?: number;
}

export interface TemplateTransaction {
  readonly data: string;
  readonly txid: string;
  /** [BIP145] the wtxid. */
  readonly hash?: string;
  readonly sigops?: number;
  readonly weight?: number;
  readonly fee?: number;
}

/** What getblocktemplate says of one transaction, beside its raw bytes. */
export interface TemplateTransactionFacts {
  /** Internal byte order. */
  readonly txid: Buffer;
  /** [BIP145] `hash`, internal byte order; sha256d of the raw bytes when the node gave none. */
  readonly wtxid: Buffer;
  /** Satoshis; undefined when the node gave none. */
  readonly fee: bigint | undefined;
  /** In the unit of `sigopLimit`; undefined when the node gave none. */
  readonly sigops: number | undefined;
  /** Weight units; 4 per byte (the upper bound) when the node gave none. */
  readonly weight: number;
}

/** A template checked once and turned into the binary forms jobs and blocks are made of. */
export interface PreparedTemplate {
  readonly height: number;
  readonly version: number;
  readonly bits: number;
  readonly networkTarget: bigint;
  /** The network target as 32 little-endian bytes, compared against share hashes. */
  readonly networkTargetLE: Uint8Array;
  readonly prevhashInternal: Buffer;
  /** [stratum: mining.notify] prevhash: internal bytes with each 4-byte word swapped. */
  readonly prevhashStratum: string;
  readonly curtime: number;
  readonly mintime: number;
  readonly coinbaseValue: bigint;
  /** The template's coinbaseaux values, to be carried in the coinbase scriptSig. */
  readonly coinbaseAux: Buffer;
  /** The BIP141 commitment output script, when the template asks for one. */
  readonly witnessCommitment: Buffer | undefined;
  /** Segwit is active: the coinbase carries the witness reserved value in the block. */
  readonly segwit: boolean;
  /** Raw transactions in template order, for submitblock. */
  readonly transactions: readonly Buffer[];
  /**
   * [sv2 6.3.1] A Stratum V2 Coinbase-only job's: the miner never revealed its transactions
   * (`transactions` is empty, `merkleBranch` its word), so the pool cannot build the block.
   */
  readonly transactionsWithheld?: true;
  readonly merkleBranch: readonly Buffer[];
  /**
   * Sigops of the template's transactions in the unit of `sigopLimit`: sigop cost
   * (legacy count x 4) under segwit, the legacy count before it.
   */
  readonly transactionSigops: number;
  /** The fees of the template's transactions, in satoshis: the coinbase value less the subsidy. */
  readonly fees: bigint;
  readonly transactionWeight: number;
  readonly transactionBytes: number;
  /** What the node said of each transaction, in template order. */
  readonly transactionFacts: readonly TemplateTransactionFacts[];
  readonly sigopLimit: number | undefined;
  readonly weightLimit: number | undefined;
  readonly sizeLimit: number | undefined;
}

export class TemplateError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`getblocktemplate ${field}: ${message}`);
    this.name = 'TemplateError';
    this.field = field;
  }
}

type Fields = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireUint32(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new TemplateError(field, `expected an unsigned 32-bit integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalLimit(value: unknown, field: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TemplateError(field, `expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function optionalCount(value: unknown, field: string): number {
  if (value === undefined) {
    return 0;
  }
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TemplateError(field, `expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function requireHash(value: unknown, field: string): Buffer {
  if (typeof value !== 'string' || value.length !== 64 || !isHex(value)) {
    throw new TemplateError(field, `expected 64 hex digits, got ${JSON.stringify(value)}`);
  }
  return reverseBytes(Buffer.from(value, 'hex'));
}

function coinbaseAuxBytes(aux: unknown): Buffer {
  if (aux === undefined) {
    return Buffer.alloc(0);
  }
  if (!isObject(aux)) {
    throw new TemplateError('coinbaseaux', 'expected an object of hex strings');
  }
  const parts = Object.entries(aux).map(([key, value]) => {
    if (typeof value !== 'string' || !isHex(value)) {
      throw new TemplateError(`coinbaseaux.${key}`, 'expected a hex string');
    }
    return Buffer.from(value, 'hex');
  });
  return Buffer.concat(parts);
}

interface TemplateTransactions {
  readonly transactions: Buffer[];
  readonly txids: Buffer[];
  readonly facts: TemplateTransactionFacts[];
  readonly sigops: number;
  readonly weight: number;
  readonly bytes: number;
  readonly fees: number;
}

function prepareTransactions(list: unknown): TemplateTransactions {
  if (!Array.isArray(list)) {
    throw new TemplateError('transactions', 'expected an array');
  }
  const transactions: Buffer[] = [];
  const txids: Buffer[] = [];
  const facts: TemplateTransactionFacts[] = [];
  let sigops = 0;
  let fees = 0;
  let weight = 0;
  let bytes = 0;
  (list as unknown[]).forEach((tx, index) => {
    const field = `transactions[${String(index)}]`;
    if (!isObject(tx)) {
      throw new TemplateError(field, 'expected an object');
    }
    if (typeof tx.data !== 'string' || tx.data.length === 0 || !isHex(tx.data)) {
      throw new TemplateError(`${field}.data`, 'expected the raw transaction as hex');
    }
    const data = Buffer.from(tx.data, 'hex');
    transactions.push(data);
    const txid = requireHash(tx.txid, `${field}.txid`);
    txids.push(txid);
    const txSigops = optionalCount(tx.sigops, `${field}.sigops`);
    sigops += txSigops;
    const fee = optionalCount(tx.fee, `${field}.fee`);
    fees += fee;
    // Without a weight field, 4 weight units per byte is the upper bound.
    const txWeight = tx.weight === undefined ? data.length * 4 : optionalCount(tx.weight, `${field}.weight`);
    weight += txWeight;
    bytes += data.length;
    facts.push({
      txid,
      wtxid: tx.hash === undefined ? sha256d(data) : requireHash(tx.hash, `${field}.hash`),
      fee: tx.fee === undefined ? undefined : BigInt(fee),
      sigops: tx.sigops === undefined ? undefined : txSigops,
      weight: txWeight,
    });
  });
  return { transactions, txids, facts, sigops, weight, bytes, fees };
}

/** Checks a getblocktemplate result and prepares it; a bad field throws a TemplateError naming it. */
export function prepareTemplate(result: unknown): PreparedTemplate {
  if (!isObject(result)) {
    throw new TemplateError('result', 'expected an object');
  }
  const version = requireUint32(result.version, 'version');
  const height = requireUint32(result.height, 'height');
  const curtime = requireUint32(result.curtime, 'curtime');
  const mintime = requireUint32(result.mintime, 'mintime');
  if (typeof result.bits !== 'string' || result.bits.length !== 8 || !isHex(result.bits)) {
    throw new TemplateError('bits', `expected 8 hex digits, got ${JSON.stringify(result.bits)}`);
  }
  const bits = Number.parseInt(result.bits, 16);
  const compact = decodeCompact(bits);
  if (compact.negative || compact.overflow || compact.target === 0n) {
    throw new TemplateError('bits', `${result.bits} does not encode a valid proof-of-work target`);
  }
  if (
    typeof result.coinbasevalue !== 'number' ||
    !Number.isSafeInteger(result.coinbasevalue) ||
    result.coinbasevalue < 0
  ) {
    throw new TemplateError('coinbasevalue', 'expected a non-negative integer number of satoshis');
  }
  const prevhashInternal = requireHash(result.previousblockhash, 'previousblockhash');
  const transactions = prepareTransactions(result.transactions);
  const rules: unknown[] = Array.isArray(result.rules) ? (result.rules as unknown[]) : [];
  // [BIP9] a leading '!' marks a rule the client must understand; segwit is one.
  const segwit = rules.includes('segwit') || rules.includes('!segwit');

  let witnessCommitment: Buffer | undefined;
  const commitment = result.default_witness_commitment;
  if (commitment !== undefined) {
    // [BIP141] OP_RETURN, push 36, the aa21a9ed header and the 32-byte commitment.
    if (
      typeof commitment !== 'string' ||
      !isHex(commitment) ||
      !commitment.toLowerCase().startsWith('6a24aa21a9ed')
    ) {
      throw new TemplateError('default_witness_commitment', 'expected a 6a24aa21a9ed… output script');
    }
    witnessCommitment = Buffer.from(commitment, 'hex');
    if (witnessCommitment.length < 38) {
      throw new TemplateError('default_witness_commitment', 'the commitment script is shorter than 38 bytes');
    }
  }

  return {
    height,
    version,
    bits,
    networkTarget: compact.target,
    networkTargetLE: targetToBytesLE(compact.target),
    prevhashInternal,
    prevhashStratum: swapWords32(prevhashInternal).toString('hex'),
    curtime,
    mintime,
    coinbaseValue: BigInt(result.coinbasevalue),
    coinbaseAux: coinbaseAuxBytes(result.coinbaseaux),
    witnessCommitment,
    segwit,
    transactions: transactions.transactions,
    merkleBranch: merkleBranch(transactions.txids),
    transactionSigops: transactions.sigops,
    fees: BigInt(transactions.fees),
    transactionWeight: transactions.weight,
    transactionBytes: transactions.bytes,
    transactionFacts: transactions.facts,
    sigopLimit: optionalLimit(result.sigoplimit, 'sigoplimit'),
    weightLimit: optionalLimit(result.weightlimit, 'weightlimit'),
    sizeLimit: optionalLimit(result.sizelimit, 'sizelimit'),
  };
}
