import { randomBytes, randomInt } from 'node:crypto';
import { Transaction } from 'bitcoinjs-lib';

/** A transaction waiting in the devchain's mempool, with what getblocktemplate reports of it. */
export interface MempoolTransaction {
  readonly raw: Buffer;
  /** Display order, as RPC prints it. */
  readonly txid: string;
  readonly wtxid: string;
  readonly fee: number;
  readonly weight: number;
  readonly sigops: number;
}

/** Fee rate of made-up transactions: 1-30 sat/vB, as a quiet mainnet mempool offers. */
function feeFor(weight: number): number {
  return Math.ceil((weight / 4) * randomInt(1, 31));
}

function describe(tx: Transaction, fee: number): MempoolTransaction {
  return {
    raw: Buffer.from(tx.toBuffer()),
    txid: tx.getId(),
    wtxid: Buffer.from(tx.getHash(true)).reverse().toString('hex'),
    fee,
    weight: tx.weight(),
    // A P2WPKH spend costs one sigop of witness cost.
    sigops: 1,
  };
}

/** A P2WPKH spend of a made-up output paying `outputs`: how the devchain's wallet sends. */
export function spendingTransaction(
  outputs: readonly { script: Buffer; value: bigint }[],
): MempoolTransaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(randomBytes(32), 0, 0xfffffffd);
  for (const output of outputs) {
    tx.addOutput(output.script, output.value);
  }
  tx.setWitness(0, [randomBytes(71), Buffer.concat([Buffer.from([0x02]), randomBytes(32)])]);
  return describe(tx, feeFor(tx.weight()));
}

/**
 * A P2WPKH spend of a made-up output: well-formed segwit bytes with a fee, standing in
 * for the transactions a real mempool offers. The devchain never validates scripts, so
 * the signature is random bytes of the right length.
 */
export function randomTransaction(): MempoolTransaction {
  return spendingTransaction(
    Array.from({ length: randomInt(1, 3) }, () => ({
      script: Buffer.concat([Buffer.from([0x00, 0x14]), randomBytes(20)]),
      value: BigInt(randomInt(10_000, 50_000_000)),
    })),
  );
}
