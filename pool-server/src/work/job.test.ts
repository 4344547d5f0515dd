import { describe, expect, it } from 'vitest';
import { merkle, templateVectors, witnessCommitments } from '../../test/helpers/vectors.ts';
import { displayHashToStratum } from './bytes.ts';
import { buildCoinbase } from './coinbase.ts';
import { createJob } from './job.ts';
import { prepareTemplate, TemplateError, type BlockTemplate } from './template.ts';
import { witnessCommitmentScript } from './witness.ts';

const internal = (displayHex: string): Buffer => Buffer.from(displayHex, 'hex').reverse();
const coinbaseOptions = {
  poolTag: Buffer.from('/hashwatt/'),
  extranonce2Size: 8,
  payouts: [{ script: Buffer.from('0014274466e754a1c12d0a2d2cc34ceb70d8e017053a', 'hex'), weight: 1 }],
};

describe.each(templateVectors)('job from template $id', (vector) => {
  const template = prepareTemplate(vector.response);
  const job = createJob('1f', template, buildCoinbase(template, coinbaseOptions), true);
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = job.notifyParams;

  it('prevhash in Stratum word order, the merkle branch in internal order', () => {
    expect(prevhash).toBe(vector.checks.prevhash_stratum);
    expect(prevhash).toBe(displayHashToStratum(vector.response.previousblockhash));
    expect(branch).toEqual(vector.checks.merkle_branch_internal);
  });

  it('version, nbits and ntime as 8 big-endian hex digits', () => {
    expect(jobId).toBe('1f');
    expect(version).toBe(vector.response.version.toString(16).padStart(8, '0'));
    expect(nbits).toBe(vector.response.bits);
    expect(Number.parseInt(ntime, 16)).toBe(vector.response.curtime);
    expect(clean).toBe(true);
    expect(coinb1 + '00'.repeat(12) + coinb2).toMatch(/^02000000/);
  });

  it('the template witness commitment equals one recomputed from its wtxids', () => {
    const wtxids = (vector.response.transactions as unknown as { hash: string }[]).map((tx) =>
      internal(tx.hash),
    );
    expect(witnessCommitmentScript(wtxids).toString('hex')).toBe(vector.response.default_witness_commitment);
  });
});

describe.each(templateVectors.filter((vector) => vector.notifyParams))(
  'job from template $id, against the notify its source pool built',
  (vector) => {
    const template = prepareTemplate(vector.response);
    const ours = createJob('1', template, buildCoinbase(template, coinbaseOptions), true).notifyParams;
    const theirs = vector.notifyParams ?? [];

    it('same prevhash, merkle branch, version and nbits', () => {
      expect(ours[1]).toBe(theirs[1]);
      expect(ours[4]).toEqual(theirs[4]);
      expect(ours[5]).toBe(theirs[5]);
      expect(ours[6]).toBe(theirs[6]);
    });

    it('their coinbase carries the commitment output ours carries', () => {
      expect(String(theirs[3])).toContain(vector.response.default_witness_commitment);
      expect(ours[3]).toContain(vector.response.default_witness_commitment);
    });
  },
);

describe('[BIP141] witness commitment', () => {
  it('of a coinbase-only block', () => {
    const empty = witnessCommitments.vectors.find((v) => v.id === 'empty-block');
    expect(witnessCommitmentScript([]).toString('hex')).toBe(empty?.commitment_script);
  });

  it.each(merkle.blocks.filter((block) => block.wtxids_display))('of mainnet block $id', (block) => {
    const [, ...wtxids] = (block.wtxids_display ?? []).map(internal);
    expect(witnessCommitmentScript(wtxids).toString('hex')).toBe(block.witness_commitment_script);
  });
});

describe('template errors name the field', () => {
  const good = templateVectors[0]?.response as BlockTemplate;
  const broken = (change: Partial<Record<keyof BlockTemplate, unknown>>): BlockTemplate =>
    ({ ...good, ...change }) as BlockTemplate;

  it.each([
    [{ previousblockhash: 'abc' }, 'previousblockhash'],
    [{ previousblockhash: undefined }, 'previousblockhash'],
    [{ bits: '1d00fff' }, 'bits'],
    [{ bits: '04923456' }, 'bits'], // negative
    [{ bits: 'ff123456' }, 'bits'], // overflow
    [{ bits: '00000000' }, 'bits'], // zero target
    [{ version: -1 }, 'version'],
    [{ height: 1.5 }, 'height'],
    [{ curtime: '1' }, 'curtime'],
    [{ coinbasevalue: -1 }, 'coinbasevalue'],
    [{ coinbasevalue: 2 ** 60 }, 'coinbasevalue'],
    [{ transactions: {} }, 'transactions'],
    [{ transactions: [{ data: 'zz', txid: '00'.repeat(32) }] }, 'transactions[0].data'],
    [{ transactions: [{ data: '00', txid: 'x' }] }, 'transactions[0].txid'],
    [{ coinbaseaux: { flags: 'xyz' } }, 'coinbaseaux.flags'],
    [{ default_witness_commitment: '6a24aa21a9ed' }, 'default_witness_commitment'],
    [{ default_witness_commitment: '0014aa' }, 'default_witness_commitment'],
    [{ weightlimit: 0 }, 'weightlimit'],
  ])('%j -> %s', (change, field) => {
    let error: unknown;
    try {
      prepareTemplate(broken(change));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).field).toBe(field);
    expect((error as TemplateError).message).toContain(field);
  });

  it('refuses job ids that do not belong on the wire', () => {
    const template = prepareTemplate(good);
    const coinbase = buildCoinbase(template, coinbaseOptions);
    for (const id of ['', 'a"b', 'x'.repeat(33), 'line\n']) {
      expect(() => createJob(id, template, coinbase, false)).toThrow(RangeError);
    }
  });
});
