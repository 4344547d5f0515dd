import { describe, expect, it } from 'vitest';
import { ShareLineEncoder, shareLine } from './share-line.ts';
import type { ShareRecord } from './share-store.ts';
import { SHARE } from '../../test/helpers/share-writer.ts';

describe('share journal line', () => {
  it('is byte for byte what JSON.stringify writes, for every kind of string and number', () => {
    const encoder = new ShareLineEncoder();
    const shares: ShareRecord[] = [
      SHARE,
      { ...SHARE, payoutAddress: null, block: true, solo: true },
      { ...SHARE, worker: 'quote " backslash \\ tab \t newline \n', difficulty: 1e-12, achieved: 3.5e-7 },
      { ...SHARE, account: 'аккаунт.矿工', worker: '\u0000\u001f\u2028😀', achieved: 1e21, fees: 0 },
      { ...SHARE, achieved: Number.MAX_VALUE, networkDifficulty: 5e-324, timeMs: 0 },
      { ...SHARE, height: 925_001, networkDifficulty: 150_000_000_000_000.25, subsidy: 156_250_000 },
      { ...SHARE, fees: 7 },
    ];
    for (const share of shares) {
      expect(encoder.encode(share)).toBe(JSON.stringify(shareLine(share)));
      // Again, from the encoded identity it keeps.
      expect(encoder.encode(share)).toBe(JSON.stringify(shareLine(share)));
    }
  });

  it('writes a number JSON cannot hold as null, as JSON.stringify does', () => {
    const share = { ...SHARE, achieved: Number.POSITIVE_INFINITY, difficulty: Number.NaN };
    const line = new ShareLineEncoder().encode(share);
    expect(line).toBe(JSON.stringify(shareLine(share)));
    expect(JSON.parse(line)).toEqual(expect.arrayContaining([null]));
  });

  it('follows a worker whose payout address changes', () => {
    const encoder = new ShareLineEncoder();
    encoder.encode(SHARE);
    const moved = { ...SHARE, payoutAddress: 'bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l' };
    expect(JSON.parse(encoder.encode(moved))).toEqual(JSON.parse(JSON.stringify(shareLine(moved))));
    expect((JSON.parse(encoder.encode({ ...SHARE, payoutAddress: null })) as unknown[])[4]).toBeNull();
  });

  it('keeps encoding right past the number of identities it keeps', () => {
    const encoder = new ShareLineEncoder();
    for (let index = 0; index < 70_000; index++) {
      const share = { ...SHARE, worker: `w${String(index)}` };
      if (encoder.encode(share) !== JSON.stringify(shareLine(share))) {
        throw new Error(`worker ${String(index)} encoded wrongly`);
      }
    }
    expect(encoder.encode({ ...SHARE, worker: 'w1' })).toBe(
      JSON.stringify(shareLine({ ...SHARE, worker: 'w1' })),
    );
  });
});
