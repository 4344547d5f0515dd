import { describe, expect, it } from 'vitest';
import { ShareColumns } from './share-columns.ts';
import type { ShareRecord } from './share-store.ts';
import { SHARE } from '../../test/helpers/share-writer.ts';

function columnsOf(shares: readonly ShareRecord[]): ShareColumns {
  const columns = new ShareColumns();
  for (const share of shares) {
    // A record carries its identity's fields: it stands for the identity the writer would pass.
    columns.push(share, share);
  }
  return columns;
}

const recordsOf = (columns: ShareColumns): (ShareRecord | undefined)[] =>
  Array.from({ length: columns.length }, (_, index) => columns.at(index));

describe('share columns', () => {
  it('gives back every share as it was pushed, in order, flags and numbers JSON cannot hold included', () => {
    const shares: ShareRecord[] = [
      SHARE,
      { ...SHARE, block: true },
      { ...SHARE, solo: true, payoutAddress: null, worker: 'solo-rig' },
      { ...SHARE, block: true, solo: true, difficulty: 1e-12, achieved: 5e-324 },
      { ...SHARE, achieved: Number.POSITIVE_INFINITY, fees: Number.NaN, timeMs: 0 },
      { ...SHARE, account: 'аккаунт', worker: 'w\u2028😀', height: 0, subsidy: 0 },
    ];
    const columns = columnsOf(shares);
    expect(columns.length).toBe(shares.length);
    expect(recordsOf(columns)).toEqual(shares);
    expect([columns.at(-1), columns.at(shares.length), columns.at(0.5)]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('holds only what was pushed after it was cleared', () => {
    const columns = columnsOf([SHARE, { ...SHARE, worker: 'rig-02' }, { ...SHARE, account: 'other' }]);
    columns.clear();
    expect(columns.length).toBe(0);
    expect(columns.at(0)).toBeUndefined();
    const after = [
      { ...SHARE, worker: 'rig-02', payoutAddress: null },
      { ...SHARE, account: 'third', timeMs: 1 },
    ];
    for (const share of after) {
      columns.push(share, share);
    }
    expect(recordsOf(columns)).toEqual(after);
  });

  it('writes its shares as an array of records in JSON, as a batch of records would be', () => {
    const shares = [SHARE, { ...SHARE, worker: 'rig-02', block: true, payoutAddress: null }];
    const batch = { id: 'b', shares: columnsOf(shares) };
    expect(JSON.stringify(batch)).toBe(JSON.stringify({ id: 'b', shares }));
  });

  it('keeps every share past the room it starts with', () => {
    const shares = Array.from({ length: 5_000 }, (_, index) => ({
      ...SHARE,
      timeMs: SHARE.timeMs + index,
      worker: `rig-${String(index % 7)}`,
      achieved: index / 3,
      block: index % 11 === 0,
      solo: index % 13 === 0,
    }));
    const records = recordsOf(columnsOf(shares));
    expect(records).toHaveLength(5_000);
    expect(records).toEqual(shares);
  });

  it('gives each share the identity it was pushed with, a payout address changed within the batch included', () => {
    const moved = 'bc1q9vza2e8x573nczrlzms0wvx3gsqjx7vavgkx0l';
    const shares: ShareRecord[] = [
      SHARE,
      { ...SHARE, account: 'other', payoutAddress: null },
      { ...SHARE, worker: 'rig-02' },
      { ...SHARE, payoutAddress: moved },
      SHARE,
      { ...SHARE, account: 'other', payoutAddress: null },
    ];
    expect(recordsOf(columnsOf(shares))).toEqual(shares);
  });

  it('crosses to another thread packed: every share as pushed, each identity sent once', () => {
    const rig = { account: SHARE.account, worker: 'rig-01', payoutAddress: SHARE.payoutAddress };
    const other = { account: 'other', worker: 'rig-02', payoutAddress: null };
    const columns = new ShareColumns();
    const shares = Array.from({ length: 3_000 }, (_, index) => {
      const identity = index % 3 === 0 ? other : rig;
      const share = {
        ...SHARE,
        ...identity,
        timeMs: SHARE.timeMs + index,
        block: index === 7,
        solo: index % 5 === 0,
      };
      columns.push(share, identity);
      return share;
    });
    const packed = columns.pack();
    expect(packed.identities).toEqual([other, rig]);
    // What postMessage does to it, the typed arrays moved rather than copied.
    const received = structuredClone(packed, {
      transfer: [packed.numbers.buffer, packed.flags.buffer, packed.senders.buffer],
    });
    expect(recordsOf(ShareColumns.unpack(received))).toEqual(shares);
    // The sender's columns are untouched by the move: it fills them again.
    expect(recordsOf(columns)).toEqual(shares);
  });

  it('refuses packed shares whose columns disagree or name an identity not sent', () => {
    const columns = columnsOf([SHARE, { ...SHARE, worker: 'rig-02' }]);
    const packed = columns.pack();
    expect(() => ShareColumns.unpack({ ...packed, flags: packed.flags.slice(0, 1) })).toThrow(
      /disagree on their count/,
    );
    expect(() => ShareColumns.unpack({ ...packed, identities: packed.identities.slice(0, 1) })).toThrow(
      /names identity 1 of 1/,
    );
  });
});
