/**
 * [sv2 6.4.4–6.4.8] A DeclareMiningJob checked against the pool's current template, pure:
 * the coinbase pays the pool (declared-coinbase.ts), the wtxid list resolves to transactions
 * the pool's node offered (or the client provided), and the block stays within its weight
 * and sigop limits. Its outcome is a declared job, the positions of the transactions to ask
 * for (ProvideMissingTransactions), or a refusal with the spec's error code and details.
 */
import { Transaction } from 'bitcoinjs-lib';
import { encodeVarInt } from '../../work/bytes.ts';
import { countLegacySigops } from '../../work/coinbase.ts';
import { merkleBranch, merkleRoot } from '../../work/merkle.ts';
import { sha256d } from '../../work/sha256d.ts';
import type { PreparedTemplate } from '../../work/template.ts';
import { BIP320_VERSION_MASK } from '../../work/version-rolling.ts';
import { WITNESS_RESERVED_VALUE } from '../../work/witness.ts';
import { readDeclaredCoinbase, type DeclaredCoinbase } from './declared-coinbase.ts';
import type { MessageOf } from './message-table.ts';
import { invalidJobParamValue } from './protocol-constants.ts';

/** [Bitcoin Core consensus.h] MAX_BLOCK_WEIGHT and MAX_BLOCK_SIGOPS_COST, when the template names none. */
const MAX_BLOCK_WEIGHT = 4_000_000;
const MAX_BLOCK_SIGOPS_COST = 80_000;
const HEADER_BYTES = 80;
/** [BIP141] a legacy sigop costs 4 units of sigop cost. */
const WITNESS_SCALE = 4;

/** A transaction the declaration may name: from the node's template, or provided by the client. */
export interface KnownTransaction {
  readonly raw: Buffer;
  /** Internal byte order. */
  readonly txid: Buffer;
  readonly wtxid: Buffer;
  /** Satoshis; undefined when nobody said (a provided transaction: its inputs are not known here). */
  readonly fee: bigint | undefined;
  /** The legacy count x 4: P2SH and witness sigops need the spent outputs, which only the node has. */
  readonly sigopCost: number;
  readonly weight: number;
  readonly hasWitness: boolean;
}

/** A job the pool accepted: what SetCustomMiningJob must match and what a block is built from. */
interface AcceptedJob {
  /** The pool's template when the job was declared: its previous block, bits, height and times. */
  readonly template: PreparedTemplate;
  readonly version: number;
  readonly coinbase: DeclaredCoinbase;
  readonly merkleBranch: readonly Buffer[];
  /** What the coinbase pays the pool's script. */
  readonly poolValue: bigint;
}

/**
 * [sv2 6.3] The two modes: under Full-Template the transactions were revealed and checked
 * (fees, weight, sigops) and the pool can build the block; under Coinbase-only (6.3.1) they
 * were withheld, so only the coinbase was checked, and the client alone can build the block.
 */
export type DeclaredJob = AcceptedJob &
  (
    | {
        readonly mode: 'full-template';
        /** Raw transactions in declared order, for the block. */
        readonly transactions: readonly Buffer[];
        readonly weight: number;
        readonly sigopCost: number;
      }
    | { readonly mode: 'coinbase-only' }
  );

export type DeclarationOutcome =
  | { readonly kind: 'declared'; readonly job: DeclaredJob }
  | { readonly kind: 'missing'; readonly positions: readonly number[] }
  | { readonly kind: 'refused'; readonly code: string; readonly details: string };

export interface DeclarationContext {
  readonly template: PreparedTemplate;
  readonly poolScript: Buffer;
  /** The full extended extranonce: extranonce1 and the extranonce2 bytes. */
  readonly extranonceSize: number;
  /** A transaction of the node's recent templates by wtxid (internal order, hex). */
  readonly known: (wtxidHex: string) => KnownTransaction | undefined;
}

/**
 * A raw transaction the client provided, described (its fee unknown: its inputs are the
 * node's to know); a string says why it is no transaction a block may hold.
 */
export function describeTransaction(raw: Buffer): KnownTransaction | string {
  let tx: Transaction;
  try {
    tx = Transaction.fromBuffer(raw);
  } catch (error) {
    return `not a transaction: ${(error as Error).message}`;
  }
  if (tx.isCoinbase()) {
    return 'a coinbase transaction';
  }
  let legacy = 0;
  for (const script of [...tx.ins.map((input) => input.script), ...tx.outs.map((output) => output.script)]) {
    legacy += countLegacySigops(script);
  }
  // [BIP144] Hashed with node:crypto: the txid over the serialization without marker, flag and witnesses.
  const strippedBody = raw.subarray(6, 6 + tx.byteLength(false) - 8);
  const hasWitness = tx.hasWitnesses();
  return {
    raw,
    txid: hasWitness
      ? sha256d(Buffer.concat([raw.subarray(0, 4), strippedBody, raw.subarray(-4)]))
      : sha256d(raw),
    wtxid: sha256d(raw),
    fee: undefined,
    sigopCost: WITNESS_SCALE * legacy,
    weight: tx.weight(),
    hasWitness,
  };
}

export type Refusal = Extract<DeclarationOutcome, { readonly kind: 'refused' }>;

function refused(field: string, details: string): Refusal {
  return { kind: 'refused', code: invalidJobParamValue(field), details };
}

/**
 * Checks a declaration. `provided`: transactions the client sent in ProvideMissingTransactions.Success,
 * by position in the wtxid list, already checked to have the wtxid declared there.
 */
export function checkDeclaration(
  message: MessageOf<'DeclareMiningJob'>,
  context: DeclarationContext,
  provided: ReadonlyMap<number, KnownTransaction> = new Map(),
): DeclarationOutcome {
  const { template } = context;
  // Only BIP320's general-purpose bits are the miner's; the rest (BIP9 signalling) must be the template's.
  if (((message.version ^ template.version) & ~BIP320_VERSION_MASK) !== 0) {
    return refused(
      'version',
      `version ${message.version.toString(16)} differs from the template's ${template.version.toString(16)} outside the BIP320 bits`,
    );
  }
  const wtxids = message.wtxid_list.map((wtxid) => wtxid.toString('hex'));
  if (new Set(wtxids).size !== wtxids.length) {
    return refused('wtxid_list', 'a transaction is listed twice');
  }
  const transactions: KnownTransaction[] = [];
  const missing: number[] = [];
  wtxids.forEach((wtxid, position) => {
    const found = provided.get(position) ?? context.known(wtxid);
    if (found) {
      transactions.push(found);
    } else {
      missing.push(position);
    }
  });
  if (missing.length > 0) {
    return { kind: 'missing', positions: missing };
  }
  const coinbase = readDeclaredCoinbase(
    message.coinbase_tx_prefix,
    message.coinbase_tx_suffix,
    context.extranonceSize,
    template.height,
  );
  if (typeof coinbase === 'string') {
    return refused('coinbase_tx_prefix', coinbase);
  }
  const paid = checkPayouts(coinbase, context.poolScript, template, knownFees(transactions));
  if (paid.kind === 'refused') {
    return paid;
  }
  const witnessProblem = checkWitnessCommitment(coinbase, transactions);
  if (witnessProblem) {
    return refused('coinbase_tx_suffix', witnessProblem);
  }
  const weight =
    WITNESS_SCALE * (HEADER_BYTES + encodeVarInt(transactions.length + 1).length) +
    coinbase.weight +
    transactions.reduce((sum, tx) => sum + tx.weight, 0);
  const weightLimit = template.weightLimit ?? MAX_BLOCK_WEIGHT;
  if (weight > weightLimit) {
    return refused('wtxid_list', `the block would weigh ${String(weight)}, above ${String(weightLimit)}`);
  }
  const sigopCost =
    WITNESS_SCALE * coinbase.legacySigops + transactions.reduce((sum, tx) => sum + tx.sigopCost, 0);
  const sigopLimit = template.sigopLimit ?? MAX_BLOCK_SIGOPS_COST;
  if (sigopCost > sigopLimit) {
    return refused(
      'wtxid_list',
      `the block would cost ${String(sigopCost)} sigops, above ${String(sigopLimit)}`,
    );
  }
  return {
    kind: 'declared',
    job: {
      mode: 'full-template',
      template,
      version: message.version,
      coinbase,
      transactions: transactions.map((tx) => tx.raw),
      merkleBranch: merkleBranch(transactions.map((tx) => tx.txid)),
      poolValue: paid.poolValue,
      weight,
      sigopCost,
    },
  };
}

/** The fees of the declared transactions the node reported, and whether it reported them all. */
export interface KnownFees {
  readonly sum: bigint;
  readonly complete: boolean;
}

function knownFees(transactions: readonly KnownTransaction[]): KnownFees {
  let sum = 0n;
  let complete = true;
  for (const tx of transactions) {
    if (tx.fee === undefined) {
      complete = false;
    } else {
      sum += tx.fee;
    }
  }
  return { sum, complete };
}

/**
 * [sv2 6.4.3] The pool's payout output takes the whole reward: every other output is worth
 * 0, and it holds at least the subsidy and the known fees; never more than they add up to
 * when every fee is known (bad-cb-amount).
 */
export function checkPayouts(
  coinbase: DeclaredCoinbase,
  poolScript: Buffer,
  template: PreparedTemplate,
  fees: KnownFees,
): { readonly kind: 'paid'; readonly poolValue: bigint } | Refusal {
  let poolValue = 0n;
  let paysPool = false;
  for (const output of coinbase.outputs) {
    if (output.script.equals(poolScript)) {
      poolValue += output.value;
      paysPool = true;
    } else if (output.value !== 0n) {
      return refused(
        'coinbase_tx_suffix',
        `an output that is not the pool's carries ${output.value.toString()} sats; the pool's output must take the whole reward`,
      );
    }
  }
  if (!paysPool) {
    return refused('coinbase_tx_suffix', "the coinbase has no output to the pool's payout script");
  }
  const subsidy = template.coinbaseValue - template.fees;
  const floor = subsidy + fees.sum;
  if (poolValue < floor) {
    return refused(
      'coinbase_tx_suffix',
      `the pool's output gets ${poolValue.toString()} sats; the subsidy and the declared transactions' known fees are ${floor.toString()}`,
    );
  }
  if (fees.complete && poolValue > floor) {
    return refused(
      'coinbase_tx_suffix',
      `the coinbase pays ${poolValue.toString()} sats, above the subsidy and fees, ${floor.toString()}`,
    );
  }
  return { kind: 'paid', poolValue };
}

/** [BIP141] A block with witness data commits to it in the coinbase, as the node checks. */
function checkWitnessCommitment(
  coinbase: DeclaredCoinbase,
  transactions: readonly KnownTransaction[],
): string | undefined {
  const commitment = coinbase.witnessCommitment;
  if (commitment === undefined) {
    return transactions.some((tx) => tx.hasWitness)
      ? 'transactions with witness data need a witness commitment in the coinbase'
      : undefined;
  }
  if (!coinbase.witnessReservedValue) {
    return 'a coinbase with a witness commitment carries the witness reserved value, 32 zero bytes';
  }
  const root = merkleRoot([Buffer.alloc(32), ...transactions.map((tx) => tx.wtxid)]);
  return sha256d(Buffer.concat([root, WITNESS_RESERVED_VALUE])).equals(commitment)
    ? undefined
    : 'the witness commitment does not match the declared transactions';
}
