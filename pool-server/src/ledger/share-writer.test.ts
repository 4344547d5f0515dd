import { describe, expect, it } from 'vitest';
import { QuotedNames, shareLine } from './share-writer.ts';
import type { ShareRecord } from './share-store.ts';

const SHARE: ShareRecord = {
  timeMs: Date.UTC(2026, 10, 26, 6, 0, 0, 123),
  account: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  worker: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq.rack-7',
  payoutAddress: 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq',
  difficulty: 1e-12,
  achieved: 123_456.789,
  height: 925_000,
  block: false,
  solo: true,
  networkDifficulty: 149_301_205_959_699.9,
  subsidy: 312_500_000,
  fees: 0,
};

/** The journal's share line as JSON.stringify writes the tuple. */
function stringified(share: ShareRecord): string {
  return JSON.stringify([
    's',
    share.timeMs,
    share.account,
    share.worker,
    share.payoutAddress,
    share.difficulty,
    share.achieved,
    share.height,
    share.block ? 1 : 0,
    share.solo ? 1 : 0,
    share.networkDifficulty,
    share.subsidy,
    share.fees,
  ]);
}

describe('shareLine', () => {
  it('writes exactly what JSON.stringify writes for the share tuple', () => {
    const names = new QuotedNames();
    const shares: ShareRecord[] = [
      SHARE,
      { ...SHARE, payoutAddress: null, block: true, solo: false, fees: 12_345_678 },
      // Worker names are the miner's text: quotes, backslashes, control characters and non-Latin scripts.
      { ...SHARE, worker: 'acct."rig"\\2\u0001\u2028مزرعه.ферма', difficulty: 0.000_123, achieved: 5e21 },
      { ...SHARE, timeMs: 0, height: 0, difficulty: 65_536, achieved: -0 },
    ];
    for (const share of shares) {
      const line = shareLine(share, names);
      expect(line).toBe(stringified(share));
      expect(JSON.parse(line)).toEqual(JSON.parse(stringified(share)));
    }
  });

  it('writes a number JSON cannot hold as null, as JSON.stringify does', () => {
    const share = { ...SHARE, achieved: Number.POSITIVE_INFINITY, fees: Number.NaN };
    expect(shareLine(share, new QuotedNames())).toBe(stringified(share));
  });
});

describe('QuotedNames', () => {
  it('quotes a name as JSON and stays bounded however many names it sees', () => {
    const names = new QuotedNames();
    expect(names.quote('a "b"')).toBe('"a \\"b\\""');
    for (let index = 0; index < QuotedNames.LIMIT + 10; index++) {
      expect(names.quote(`worker.${String(index)}`)).toBe(`"worker.${String(index)}"`);
    }
    expect(names.size).toBeLessThanOrEqual(QuotedNames.LIMIT);
  });
});
