import { Block } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { jobOfCase, sessionOfCase, submitOfCase } from '../../test/helpers/share-cases.ts';
import { stratumShares, templateVectors } from '../../test/helpers/vectors.ts';
import { assembleBlock } from './block.ts';
import { buildCoinbase } from './coinbase.ts';
import { createJob } from './job.ts';
import { createShareHasher } from './share-hasher.ts';
import { sha256d } from './sha256d.ts';
import { prepareTemplate } from './template.ts';

const hasher = createShareHasher();

describe('submitblock bytes', () => {
  it('rebuild js2pool regtest block 240 byte for byte from its notify fields and share', () => {
    const shareCase = stratumShares.cases.find((c) => c.id === 'regtest-js2pool-height240-block-2tx');
    const blockHex = templateVectors.find((v) => v.id === 'js2pool-regtest#240')?.blockHex;
    if (!shareCase || !blockHex) {
      throw new Error('js2pool vectors missing');
    }
    const job = jobOfCase(shareCase);
    const { extranonce1 } = sessionOfCase(shareCase);
    const [, , extranonce2, ntime, nonce] = submitOfCase(shareCase) as string[];
    hasher.hashShare(
      job.work,
      extranonce1,
      extranonce2 ?? '',
      job.template.version,
      Number.parseInt(ntime ?? '', 16),
      Number.parseInt(nonce ?? '', 16),
    );
    const block = assembleBlock(job, extranonce1, Buffer.from(extranonce2 ?? '', 'hex'), hasher.header);
    expect(block.toString('hex')).toBe(blockHex);
  });

  it.each(templateVectors.filter((v) => v.response.transactions.length > 0))(
    '$id: our coinbase + its transactions form a block bitcoinjs-lib accepts (merkle root, witness commitment)',
    (vector) => {
      const template = prepareTemplate(vector.response);
      const coinbase = buildCoinbase(template, {
        poolTag: Buffer.from('/hashwatt/'),
        extranonce2Size: 4,
        payouts: [{ script: Buffer.from('0014274466e754a1c12d0a2d2cc34ceb70d8e017053a', 'hex'), weight: 1 }],
      });
      const job = createJob('a', template, coinbase, true);
      const extranonce1 = Buffer.from('01020304', 'hex');
      const extranonce2 = Buffer.from('a1b2c3d4', 'hex');
      hasher.hashShare(job.work, extranonce1, 'a1b2c3d4', template.version, template.curtime, 12345);
      const raw = assembleBlock(job, extranonce1, extranonce2, hasher.header);
      const block = Block.fromBuffer(raw);

      expect(block.getId()).toBe(Buffer.from(hasher.hash).reverse().toString('hex'));
      expect(block.transactions).toHaveLength(vector.response.transactions.length + 1);
      expect(block.checkTxRoots()).toBe(true);
      const coinbaseTx = block.transactions?.[0];
      const stripped = Buffer.concat([coinbase.coinb1, extranonce1, extranonce2, coinbase.coinb2]);
      expect(coinbaseTx?.getId()).toBe(sha256d(stripped).reverse().toString('hex'));
      if (template.segwit) {
        // [BIP141] the coinbase carries exactly one 32-byte witness item: the reserved value.
        expect(coinbaseTx?.ins[0]?.witness).toEqual([Buffer.alloc(32)]);
        expect(block.weight()).toBeLessThanOrEqual(vector.response.weightlimit ?? Infinity);
      }
      block.transactions?.slice(1).forEach((tx, index) => {
        expect(tx.getId()).toBe(vector.response.transactions[index]?.txid);
      });
    },
  );

  it('refuses a header that is not 80 bytes', () => {
    const template = prepareTemplate(templateVectors[0]?.response);
    const job = createJob(
      'a',
      template,
      buildCoinbase(template, {
        poolTag: Buffer.alloc(0),
        extranonce2Size: 4,
        payouts: [{ script: Buffer.from('51', 'hex'), weight: 1 }],
      }),
      true,
    );
    expect(() => assembleBlock(job, Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(79))).toThrow(RangeError);
  });
});
