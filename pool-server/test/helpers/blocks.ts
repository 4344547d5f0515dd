/** Found blocks for tests: built on the devchain's current template the way the pool builds them. */
import type { FoundBlock } from '../../src/chain/block-submitter.ts';
import { payoutScript } from '../../src/work/address.ts';
import { assembleBlock } from '../../src/work/block.ts';
import { buildCoinbase } from '../../src/work/coinbase.ts';
import { HEADER_SIZE, writeHeader } from '../../src/work/header.ts';
import { createJob } from '../../src/work/job.ts';
import { foldMerkleBranch } from '../../src/work/merkle.ts';
import { sha256d } from '../../src/work/sha256d.ts';
import {
  decodeCompact,
  difficultyFromBits,
  hashMeetsTarget,
  targetToBytesLE,
} from '../../src/work/target.ts';
import { prepareTemplate } from '../../src/work/template.ts';
import { MINER_ADDRESS } from './pool.ts';

export interface TestBlock {
  readonly block: FoundBlock;
  readonly blockHex: string;
}

let extranonce = 0;

/**
 * A valid block on a node's getblocktemplate result (each call a different one), with
 * what the pool records of it.
 */
export function findBlock(rawTemplate: unknown, worker = `${MINER_ADDRESS}.rig`): TestBlock {
  const template = prepareTemplate(rawTemplate);
  const pays = payoutScript(MINER_ADDRESS, 'regtest');
  if (!pays.ok) {
    throw new Error(pays.message);
  }
  const coinbase = buildCoinbase(template, {
    poolTag: Buffer.from('/test/'),
    extranonce2Size: 4,
    payouts: [{ script: pays.script, weight: 1 }],
  });
  const job = createJob('t', template, coinbase, true);
  const extranonce1 = Buffer.alloc(4);
  const extranonce2 = Buffer.alloc(4);
  extranonce2.writeUInt32BE(++extranonce);
  const txid = sha256d(Buffer.concat([coinbase.coinb1, extranonce1, extranonce2, coinbase.coinb2]));
  const target = targetToBytesLE(decodeCompact(template.bits).target);
  const header = Buffer.alloc(HEADER_SIZE);
  for (let nonce = 0; ; nonce++) {
    writeHeader(header, {
      version: template.version,
      prevhashInternal: template.prevhashInternal,
      merkleRootInternal: foldMerkleBranch(txid, template.merkleBranch),
      ntime: template.curtime,
      bits: template.bits,
      nonce,
    });
    const hash = sha256d(header);
    if (hashMeetsTarget(hash, target)) {
      return {
        block: {
          height: template.height,
          hash: Buffer.from(hash).reverse().toString('hex'),
          reward: template.coinbaseValue,
          fees: template.fees,
          networkDifficulty: difficultyFromBits(template.bits),
          finder: { account: MINER_ADDRESS, worker },
          solo: false,
          foundAtMs: Date.now(),
        },
        blockHex: assembleBlock(job, extranonce1, extranonce2, header).toString('hex'),
      };
    }
  }
}
