import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobOfCase, sessionOfCase, submitOfCase } from '../../test/helpers/share-cases.ts';
import { stratumShares } from '../../test/helpers/vectors.ts';
import { createJob } from './job.ts';
import { JobRegistry } from './job-registry.ts';
import { availableShareHashEngines, createShareHasher } from './share-hasher.ts';
import { validateShare, type RejectReason, type ShareResult } from './validate-share.ts';

const cases = stratumShares.cases;

function accepted(result: ShareResult): Extract<ShareResult, { ok: true }> {
  if (!result.ok) {
    throw new Error(`expected an accepted share, got ${result.reason}: ${result.message}`);
  }
  return result;
}

function caseNamed(id: string): (typeof cases)[number] {
  const found = cases.find((shareCase) => shareCase.id === id);
  if (!found) {
    throw new Error(`no share case ${id}`);
  }
  return found;
}

describe.each(availableShareHashEngines())('real shares replayed on the %s engine', (engine) => {
  const hasher = createShareHasher(engine);

  it.each(cases)('$id', (shareCase) => {
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const share = accepted(
      validateShare(registry, sessionOfCase(shareCase), hasher, submitOfCase(shareCase)),
    );
    const { expected } = shareCase;
    expect(share.header.toString('hex')).toBe(expected.header_hex);
    expect(share.hash.toString('hex')).toBe(expected.hash_internal);
    expect(Buffer.from(share.hash).reverse().toString('hex')).toBe(expected.hash_display);
    expect(share.header.subarray(36, 68).toString('hex')).toBe(expected.merkle_root_internal);
    expect(share.version.toString(16).padStart(8, '0')).toBe(expected.header_version_hex);
    expect(share.difficulty / expected.share_difficulty).toBeCloseTo(1, 12);
    expect(share.isBlock).toBe(expected.meets_network_target);
  });

  it('accepts a block below the share target: MiningCore regtest height 14 (diff 6.2e-10 vs 0.5)', () => {
    const shareCase = caseNamed('regtest-miningcore-height14-block');
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const share = accepted(
      validateShare(registry, sessionOfCase(shareCase, 0.5), hasher, submitOfCase(shareCase)),
    );
    expect(share.isBlock).toBe(true);
    expect(share.meetsShareTarget).toBe(false);
  });
});

describe('rejections', () => {
  const hasher = createShareHasher();
  const shareCase = caseNamed('testnet3-public-pool-bitaxe-share-2442185');

  function submit(
    overrides: Partial<Record<0 | 1 | 2 | 3 | 4 | 5, unknown>>,
    difficulty?: number,
  ): ShareResult {
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const params = submitOfCase(shareCase);
    for (const [index, value] of Object.entries(overrides)) {
      params[Number(index)] = value;
    }
    return validateShare(registry, sessionOfCase(shareCase, difficulty), hasher, params);
  }

  it('the untouched share is accepted at difficulty 512, as public-pool asserts', () => {
    expect(accepted(submit({}, 512)).difficulty).toBeGreaterThanOrEqual(512);
  });

  it('low difficulty, with the difficulty achieved', () => {
    const result = submit({}, 1e6);
    expect(result).toMatchObject({ ok: false, reason: 'low-diff' });
    expect(result).toHaveProperty('difficulty', expect.closeTo(669.9, 1));
  });

  it('one changed nonce byte changes the hash and drops the share far below its difficulty', () => {
    const result = submit({ 4: 'ed460d92' }, 512);
    expect(result).toMatchObject({ ok: false, reason: 'low-diff' });
  });

  it('version bits outside the negotiated mask', () => {
    expect(submit({ 5: 'e0000000' })).toMatchObject({ ok: false, reason: 'bad-version-bits' });
    expect(submit({ 5: '00001000' })).toMatchObject({ ok: false, reason: 'bad-version-bits' });
  });

  it('version bits from a miner that never negotiated a mask', () => {
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const session = { ...sessionOfCase(shareCase), versionMask: 0 };
    const result = validateShare(registry, session, hasher, submitOfCase(shareCase));
    expect(result).toMatchObject({ ok: false, reason: 'bad-version-bits' });
  });

  it('ntime before the template mintime or more than 2 h past curtime', () => {
    const { mintime, curtime } = jobOfCase(shareCase).template;
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    expect(submit({ 3: hex(mintime - 1) })).toMatchObject({ ok: false, reason: 'ntime-out-of-range' });
    expect(submit({ 3: hex(curtime + 7201) })).toMatchObject({ ok: false, reason: 'ntime-out-of-range' });
    // At the edge of the window the share is hashed, and with another ntime misses difficulty 512.
    expect(submit({ 3: hex(curtime + 7200) }, 512)).toMatchObject({ ok: false, reason: 'low-diff' });
  });

  it('extranonce2 of the wrong size', () => {
    expect(submit({ 2: 'c70800' })).toMatchObject({ ok: false, reason: 'bad-extranonce2-size' });
    expect(submit({ 2: 'c708000000' })).toMatchObject({ ok: false, reason: 'bad-extranonce2-size' });
    expect(submit({ 2: 'zz080000' })).toMatchObject({ ok: false, reason: 'malformed-extranonce2' });
  });

  it('unknown and stale jobs', () => {
    expect(submit({ 1: 'nope' })).toMatchObject({ ok: false, reason: 'unknown-job' });
    const registry = new JobRegistry();
    const job = jobOfCase(shareCase);
    registry.add(job);
    registry.add(createJob('2', job.template, job.coinbase, true));
    const result = validateShare(registry, sessionOfCase(shareCase), hasher, submitOfCase(shareCase));
    expect(result).toMatchObject({ ok: false, reason: 'stale' });
  });

  it('duplicates, keyed on decoded values: upper-case hex is the same share', () => {
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const session = sessionOfCase(shareCase);
    const params = submitOfCase(shareCase);
    expect(validateShare(registry, session, hasher, params).ok).toBe(true);
    expect(validateShare(registry, session, hasher, params)).toMatchObject({
      ok: false,
      reason: 'duplicate',
    });
    const shouted = params.map((value, index) => (index >= 2 ? String(value).toUpperCase() : value));
    expect(validateShare(registry, session, hasher, shouted)).toMatchObject({
      ok: false,
      reason: 'duplicate',
    });
  });

  it('the same nonce on another extranonce1 is a different share', () => {
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const params = submitOfCase(shareCase);
    expect(validateShare(registry, sessionOfCase(shareCase), hasher, params).ok).toBe(true);
    const other = { ...sessionOfCase(shareCase), extranonce1: Buffer.from('00000001', 'hex') };
    expect(validateShare(registry, other, hasher, params)).not.toMatchObject({ reason: 'duplicate' });
  });
});

describe('byte-order mistakes change the hash', () => {
  const hasher = createShareHasher();
  const shareCase = caseNamed('mainnet-espminer-slushpool-share-diff683');

  function hashWith(mutate: (job: ReturnType<typeof jobOfCase>) => ReturnType<typeof jobOfCase>): string {
    const registry = new JobRegistry();
    registry.add(mutate(jobOfCase(shareCase)));
    const result = accepted(
      validateShare(registry, sessionOfCase(shareCase), hasher, submitOfCase(shareCase)),
    );
    expect(result.difficulty).toBeLessThan(683);
    return result.hash.toString('hex');
  }

  it('a fully reversed prevhash instead of the word-swapped one', () => {
    const hash = hashWith((job) =>
      createJob(
        job.id,
        { ...job.template, prevhashInternal: Buffer.from(job.template.prevhashStratum, 'hex').reverse() },
        job.coinbase,
        true,
      ),
    );
    expect(hash).not.toBe(shareCase.expected.hash_internal);
  });

  it('merkle branch entries in display order', () => {
    const hash = hashWith((job) =>
      createJob(
        job.id,
        { ...job.template, merkleBranch: job.template.merkleBranch.map((b) => Buffer.from(b).reverse()) },
        job.coinbase,
        true,
      ),
    );
    expect(hash).not.toBe(shareCase.expected.hash_internal);
  });
});

describe('hostile mining.submit params', () => {
  const hasher = createShareHasher();
  const shareCase = caseNamed('signet-p2poolv2-with-version-rolling');
  const REASONS = new Set<RejectReason>([
    'malformed-params',
    'malformed-extranonce2',
    'bad-extranonce2-size',
    'malformed-ntime',
    'malformed-nonce',
    'malformed-version',
    'unknown-job',
    'stale',
    'ntime-out-of-range',
    'bad-version-bits',
    'duplicate',
    'low-diff',
  ]);

  function check(params: unknown): ShareResult {
    const registry = new JobRegistry();
    registry.add(jobOfCase(shareCase));
    const result = validateShare(registry, sessionOfCase(shareCase, 1), hasher, params);
    if (!result.ok) {
      expect(REASONS.has(result.reason)).toBe(true);
      // Messages go to logs and to the miner: never an echo of a huge input.
      expect(result.message.length).toBeLessThan(300);
    }
    return result;
  }

  const valid = submitOfCase(shareCase);
  const hexString = fc.uint8Array({ maxLength: 10 }).map((bytes) => Buffer.from(bytes).toString('hex'));
  const fieldValue = fc.oneof(
    fc.anything(),
    fc.string({ maxLength: 20 }),
    hexString,
    fc.integer(),
    fc.double(),
    fc.bigInt().map(String),
    fc.constantFrom(
      null,
      undefined,
      -1,
      2 ** 32,
      '-0000001',
      'ffffffff',
      '100000000',
      '0x1234ab',
      ' 1234567',
    ),
  );

  it('any JSON value as params: a typed result, never an exception', () => {
    fc.assert(
      fc.property(fc.anything(), (params) => {
        check(params);
      }),
      { numRuns: 2000 },
    );
  });

  it('random values in any field of an otherwise valid submit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 }), fieldValue, (index, value) => {
        const params = [...valid];
        params[index] = value;
        check(params);
      }),
      { numRuns: 3000 },
    );
  });

  it('random arrays of 0 to 8 fields', () => {
    fc.assert(
      fc.property(fc.array(fieldValue, { maxLength: 8 }), (params) => {
        check(params);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([0, 1, 2, 3, 4, 5])('a 1 MB string in field %i', (index) => {
    const params = [...valid];
    params[index] = 'a'.repeat(1 << 20);
    expect(check(params).ok).toBe(false);
  });

  it.each([
    [[], 'malformed-params'],
    [valid.slice(0, 4), 'malformed-params'],
    [{ 0: 'worker' }, 'malformed-params'],
    ['mining.submit', 'malformed-params'],
    [[42, ...valid.slice(1)], 'malformed-params'],
    [[valid[0], 7, ...valid.slice(2)], 'malformed-params'],
    [[...valid.slice(0, 2), 12345678, ...valid.slice(3)], 'malformed-extranonce2'],
    [[...valid.slice(0, 3), 0x6878b602, ...valid.slice(4)], 'malformed-ntime'],
    [[...valid.slice(0, 3), '6878b6', ...valid.slice(4)], 'malformed-ntime'],
    [[...valid.slice(0, 3), '-878b602', ...valid.slice(4)], 'malformed-ntime'],
    [[...valid.slice(0, 4), '58f9007', valid[5]], 'malformed-nonce'],
    [[...valid.slice(0, 4), '58f900700', valid[5]], 'malformed-nonce'],
    [[...valid.slice(0, 4), 1492713584, valid[5]], 'malformed-nonce'],
    [[...valid.slice(0, 5), 'zz3ac000'], 'malformed-version'],
    [[...valid.slice(0, 5), ['083ac000']], 'malformed-version'],
  ] as [unknown, RejectReason][])('%j -> %s', (params, reason) => {
    expect(check(params)).toMatchObject({ ok: false, reason });
  });

  it('the valid submit is accepted, so the cases above fail for their one change', () => {
    expect(check(valid).ok).toBe(true);
  });
});
