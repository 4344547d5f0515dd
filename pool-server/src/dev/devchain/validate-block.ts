import { Block, type Transaction } from 'bitcoinjs-lib';
import { encodeHeightPush } from '../../work/coinbase.ts';
import { merkleRoot } from '../../work/merkle.ts';
import { decodeCompact, hashMeetsTarget, targetToBytesLE } from '../../work/target.ts';
import { sha256d } from '../../work/sha256d.ts';

/** What a submitted block is checked against: the block it builds on and the devchain's rules. */
export interface BlockContext {
  readonly height: number;
  readonly bits: number;
  /** Median time past of the previous 11 blocks. */
  readonly medianTimePast: number;
  readonly nowSeconds: number;
  readonly subsidy: bigint;
  /** Fee of each mempool transaction by txid (display order); unknown ones are refused. */
  readonly feeOf: (txid: string) => number | undefined;
}

export type BlockVerdict =
  | { readonly ok: true; readonly block: Block; readonly fees: bigint }
  /** [BIP22] the reject reason submitblock returns, named as Bitcoin Core names it. */
  | { readonly ok: false; readonly reason: string };

const MAX_BLOCK_WEIGHT = 4_000_000;
/** [Bitcoin Core chain.h MAX_FUTURE_BLOCK_TIME] */
const MAX_FUTURE_SECONDS = 2 * 60 * 60;
const LOCKTIME_THRESHOLD = 500_000_000;
const SEQUENCE_FINAL = 0xffffffff;
const COMMITMENT_HEADER = Buffer.from('6a24aa21a9ed', 'hex');

function reject(reason: string): BlockVerdict {
  return { ok: false, reason };
}

/** [BIP141] the last output whose script starts with the commitment header, as Core reads it. */
function commitmentOf(coinbase: Transaction): Buffer | undefined {
  for (let i = coinbase.outs.length - 1; i >= 0; i--) {
    const script = Buffer.from(coinbase.outs[i]?.script ?? []);
    if (script.length >= 38 && script.subarray(0, 6).equals(COMMITMENT_HEADER)) {
      return script.subarray(6, 38);
    }
  }
  return undefined;
}

function checkWitness(transactions: Transaction[], coinbase: Transaction): string | undefined {
  const commitment = commitmentOf(coinbase);
  if (commitment === undefined) {
    return transactions.some((tx) => tx.hasWitnesses()) ? 'unexpected-witness' : undefined;
  }
  const witness = coinbase.ins[0]?.witness ?? [];
  if (witness.length !== 1 || witness[0]?.length !== 32) {
    return 'bad-witness-nonce-size';
  }
  const wtxids = transactions.map((tx, index) =>
    index === 0 ? Buffer.alloc(32) : Buffer.from(tx.getHash(true)),
  );
  const expected = sha256d(Buffer.concat([merkleRoot(wtxids), Buffer.from(witness[0])]));
  return expected.equals(commitment) ? undefined : 'bad-witness-merkle-match';
}

/**
 * Checks a block the way Bitcoin Core does for the rules a pool can get wrong: proof of
 * work against its bits, header time, merkle root, BIP34 height, the coinbase amount,
 * the witness commitment, weight and coinbase finality. Scripts are not run.
 */
export function validateBlock(raw: Buffer, context: BlockContext): BlockVerdict {
  const block = Block.fromBuffer(raw);
  const transactions = block.transactions ?? [];
  const hash = Buffer.from(block.getHash());
  if (block.bits !== context.bits) {
    return reject('bad-diffbits');
  }
  if (!hashMeetsTarget(hash, targetToBytesLE(decodeCompact(block.bits).target))) {
    return reject('high-hash');
  }
  if (block.timestamp <= context.medianTimePast) {
    return reject('time-too-old');
  }
  if (block.timestamp > context.nowSeconds + MAX_FUTURE_SECONDS) {
    return reject('time-too-new');
  }
  if (block.version < 4) {
    return reject(`bad-version(0x${block.version.toString(16).padStart(8, '0')})`);
  }
  const txids = transactions.map((tx) => Buffer.from(tx.getHash()));
  if (txids.length === 0 || !merkleRoot(txids).equals(Buffer.from(block.merkleRoot ?? []))) {
    return reject('bad-txnmrklroot');
  }
  const [coinbase, ...rest] = transactions;
  if (!coinbase?.isCoinbase()) {
    return reject('bad-cb-missing');
  }
  if (rest.some((tx) => tx.isCoinbase())) {
    return reject('bad-cb-multiple');
  }
  const scriptSig = Buffer.from(coinbase.ins[0]?.script ?? []);
  if (scriptSig.length < 2 || scriptSig.length > 100) {
    return reject('bad-cb-length');
  }
  const heightPush = encodeHeightPush(context.height);
  if (!scriptSig.subarray(0, heightPush.length).equals(heightPush)) {
    return reject('bad-cb-height');
  }
  const locktime = coinbase.locktime;
  const lockedUntil = locktime < LOCKTIME_THRESHOLD ? context.height : block.timestamp;
  if (
    locktime !== 0 &&
    locktime >= lockedUntil &&
    coinbase.ins.some((input) => input.sequence !== SEQUENCE_FINAL)
  ) {
    return reject('bad-txns-nonfinal');
  }
  let fees = 0n;
  for (const tx of rest) {
    const fee = context.feeOf(tx.getId());
    if (fee === undefined) {
      return reject('bad-txns-inputs-missingorspent');
    }
    fees += BigInt(fee);
  }
  const paid = coinbase.outs.reduce((sum, output) => sum + output.value, 0n);
  if (paid > context.subsidy + fees) {
    return reject('bad-cb-amount');
  }
  const witnessProblem = checkWitness(transactions, coinbase);
  if (witnessProblem !== undefined) {
    return reject(witnessProblem);
  }
  if (block.weight() > MAX_BLOCK_WEIGHT) {
    return reject('bad-blk-weight');
  }
  return { ok: true, block, fees };
}
