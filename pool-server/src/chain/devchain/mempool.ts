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

/**
 * A P2WPKH spend of a made-up output: well-formed segwit bytes with a fee, standing in
 * for the transactions a real mempool offers. The devchain never validates scripts, so
 * the signature is random bytes of the right length.
 */
export function randomTransaction(): MempoolTransaction {
  const tx = new Transaction();
  tx.version = 2;
  tx.addInput(randomBytes(32), randomInt(0, 4), 0xfffffffd);
  const outputs = randomInt(1, 3);
  for (let i = 0; i < outputs; i++) {
    tx.addOutput(
      Buffer.concat([Buffer.from([0x00, 0x14]), randomBytes(20)]),
      BigInt(randomInt(10_000, 50_000_000)),
    );
  }
  tx.setWitness(0, [randomBytes(71), Buffer.concat([Buffer.from([0x02]), randomBytes(32)])]);
  const raw = Buffer.from(tx.toBuffer());
  const weight = tx.weight();
  // 1-30 sat/vB, as a quiet mainnet mempool offers.
  const fee = Math.ceil((weight / 4) * randomInt(1, 31));
  return {
    raw,
    txid: tx.getId(),
    wtxid: Buffer.from(tx.getHash(true)).reverse().toString('hex'),
    fee,
    weight,
    // A P2WPKH spend costs one sigop of witness cost.
    sigops: 1,
  };
}
