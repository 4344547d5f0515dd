/**
 * Starts: a real PostgreSQL (DATABASE_URL or embedded), one database for this file.
 * Synthetic share streams of known hashrate go through the share store; the hashrate
 * read back from the rollups must be the one the streams were made with.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashrateChart, hashrateOf, hashrates, type HashrateScope } from '../../src/ledger/hashrate.ts';
import { foldRollups } from '../../src/ledger/rollups.ts';
import { ShareStore, type RejectRecord, type ShareRecord } from '../../src/ledger/share-store.ts';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { seededRandom } from '../helpers/random.ts';
import { ORDINARY_SHARE } from '../helpers/share-writer.ts';

const NOW = Date.UTC(2026, 10, 25, 12, 34, 56, 789);
const HOURS_OF_SHARES = 25;
const TH = 1e12;

interface Stream {
  readonly account: string;
  readonly worker: string;
  readonly hashrate: number;
  /** The share difficulty at a time: vardiff may change it. */
  readonly difficultyAt: (timeMs: number) => number;
  /** Arrivals: evenly spaced, or a Poisson process as real mining is. */
  readonly arrivals: 'even' | 'poisson';
}

function sharesOf(stream: Stream, random: () => number): ShareRecord[] {
  const shares: ShareRecord[] = [];
  let time = NOW - HOURS_OF_SHARES * 3_600_000;
  for (;;) {
    const difficulty = stream.difficultyAt(time);
    const meanGapMs = ((difficulty * 2 ** 32) / stream.hashrate) * 1000;
    time += stream.arrivals === 'even' ? meanGapMs : -Math.log(1 - random()) * meanGapMs;
    if (time > NOW) {
      return shares;
    }
    shares.push({
      timeMs: Math.floor(time),
      account: stream.account,
      worker: stream.worker,
      payoutAddress: null,
      difficulty: stream.difficultyAt(time),
      achieved: difficulty * 2,
      ...ORDINARY_SHARE,
    });
  }
}

const STREAMS: readonly Stream[] = [
  { account: 'alice', worker: 'rig1', hashrate: 100 * TH, difficultyAt: () => 65_536, arrivals: 'even' },
  {
    account: 'alice',
    worker: 'rig2',
    hashrate: 50 * TH,
    // Vardiff raised it halfway.
    difficultyAt: (timeMs) => (timeMs < NOW - 12 * 3_600_000 ? 8_192 : 32_768),
    arrivals: 'poisson',
  },
  { account: 'bob', worker: 'rig', hashrate: 1_000 * TH, difficultyAt: () => 1_048_576, arrivals: 'poisson' },
];

describe('hashrate from synthetic share streams', () => {
  let database: TestDatabase;
  const all: ShareRecord[] = [];
  const rejects: RejectRecord[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const random = seededRandom(20261125);
    for (const stream of STREAMS) {
      all.push(...sharesOf(stream, random));
    }
    all.sort((a, b) => a.timeMs - b.timeMs);
    // Every 50th share of bob's also brings a reject, every 100th a stale one.
    all
      .filter((share) => share.account === 'bob')
      .forEach((share, index) => {
        if (index % 50 === 0) {
          rejects.push({ timeMs: share.timeMs, account: 'bob', worker: 'rig', stale: index % 100 === 0 });
        }
      });
    const store = new ShareStore(database.db);
    for (let from = 0, batch = 0; from < all.length; from += 10_000, batch++) {
      await store.store({
        id: `00000000-0000-4000-8000-${batch.toString().padStart(12, '0')}`,
        nodeId: 0,
        shares: all.slice(from, from + 10_000),
        rejects: batch === 0 ? rejects : [],
      });
      // Halfway the server folds: reads find some rollups folded and some not yet.
      if (batch === 5) {
        expect(await foldRollups(database.db)).toBeGreaterThan(0);
      }
    }
  });
  afterAll(async () => {
    await database.drop();
  });

  const inScope = (scope: HashrateScope) => (share: ShareRecord) =>
    scope.kind === 'pool' ||
    (share.account === scope.account && (scope.kind === 'account' || share.worker === scope.worker));

  const cases: readonly { scope: HashrateScope; trueRate: number }[] = [
    { scope: { kind: 'worker', account: 'alice', worker: 'rig1' }, trueRate: 100 * TH },
    { scope: { kind: 'worker', account: 'alice', worker: 'rig2' }, trueRate: 50 * TH },
    { scope: { kind: 'account', account: 'alice' }, trueRate: 150 * TH },
    { scope: { kind: 'account', account: 'bob' }, trueRate: 1_000 * TH },
    { scope: { kind: 'pool' }, trueRate: 1_150 * TH },
  ];

  it.each(cases)(
    '$scope.kind $scope.account $scope.worker: counts exactly the shares of its span',
    async ({ scope }) => {
      for (const estimate of await hashrates(database.db, scope, NOW)) {
        expect(estimate.spanSeconds).toBeGreaterThanOrEqual(estimate.windowSeconds);
        expect(estimate.spanSeconds).toBeLessThan(estimate.windowSeconds + 60);
        const since = NOW - estimate.spanSeconds * 1000;
        const counted = all.filter((share) => inScope(scope)(share) && share.timeMs >= since);
        const difficulty = counted.reduce((sum, share) => sum + share.difficulty, 0);
        expect(estimate.accepted).toBe(counted.length);
        expect(estimate.difficulty).toBeCloseTo(difficulty, 3);
        expect(estimate.hashrate).toBeCloseTo(hashrateOf(difficulty, estimate.spanSeconds), 0);
      }
    },
  );

  it.each(cases)(
    '$scope.kind $scope.account $scope.worker: recovers the true hashrate',
    async ({ scope, trueRate }) => {
      const estimates = await hashrates(database.db, scope, NOW);
      expect(estimates.map((estimate) => estimate.windowSeconds)).toEqual([600, 3_600, 86_400]);
      for (const estimate of estimates) {
        // Shares arrive as a Poisson process: the count's relative error is 1/sqrt(n); five of them.
        const tolerance = 5 / Math.sqrt(estimate.accepted);
        expect(Math.abs(estimate.hashrate / trueRate - 1)).toBeLessThan(tolerance);
      }
      // Evenly spaced shares leave only the rounding of one share.
      if (scope.kind === 'worker' && scope.worker === 'rig1') {
        for (const estimate of estimates) {
          expect(Math.abs(estimate.hashrate / trueRate - 1)).toBeLessThan(1.5 / estimate.accepted);
        }
      }
    },
  );

  it('folding the increments into the rollups changes no figure, and leaves none behind', async () => {
    const scopes = cases.map((entry) => entry.scope);
    const day = { fromMs: NOW - 24 * 3_600_000, toMs: NOW, bucketSeconds: 3_600 };
    const read = () =>
      Promise.all(
        scopes.map(async (scope) => ({
          now: await hashrates(database.db, scope, NOW),
          chart: await hashrateChart(database.db, scope, day),
        })),
      );
    const before = await read();
    expect(await foldRollups(database.db)).toBeGreaterThan(0);
    const after = await read();
    after.forEach((figures, index) => {
      figures.now.forEach((estimate, window) => {
        expect(estimate.accepted).toBe(before[index]?.now[window]?.accepted);
        expect(estimate.hashrate).toBeCloseTo(before[index]?.now[window]?.hashrate ?? NaN, -3);
      });
      expect(figures.chart.map((point) => point.accepted)).toEqual(
        before[index]?.chart.map((point) => point.accepted),
      );
    });
    expect(await countRows(database.db, 'share_rollup_deltas')).toBe(0);
    expect(await foldRollups(database.db)).toBe(0);
  });

  it('an unknown miner has no hashrate', async () => {
    const [tenMinutes] = await hashrates(database.db, { kind: 'account', account: 'nobody' }, NOW);
    expect(tenMinutes).toMatchObject({ hashrate: 0, accepted: 0 });
  });

  it('charts by the hour from the hourly rollups, and by the minute, null before the first share', async () => {
    const day = { fromMs: NOW - 24 * 3_600_000, toMs: NOW, bucketSeconds: 3_600 };
    const alice = await hashrateChart(database.db, { kind: 'account', account: 'alice' }, day);
    expect(alice).toHaveLength(25);
    expect(alice.every((point) => point.timeMs % 3_600_000 === 0)).toBe(true);
    const rig1 = await hashrateChart(database.db, { kind: 'worker', account: 'alice', worker: 'rig1' }, day);
    const rig2 = await hashrateChart(database.db, { kind: 'worker', account: 'alice', worker: 'rig2' }, day);
    alice.forEach((point, index) => {
      expect(point.hashrate).toBeCloseTo((rig1[index]?.hashrate ?? 0) + (rig2[index]?.hashrate ?? 0), -3);
    });
    // A whole hour in the middle: 100 TH/s evenly is within a share of the truth.
    const middle = rig1[12];
    expect(Math.abs((middle?.hashrate ?? 0) / (100 * TH) - 1)).toBeLessThan(1.5 / (middle?.accepted ?? 1));
    const bob = await hashrateChart(database.db, { kind: 'account', account: 'bob' }, day);
    const bobShares = all.filter((share) => share.account === 'bob' && share.timeMs >= (bob[0]?.timeMs ?? 0));
    expect(bob.reduce((sum, point) => sum + point.accepted, 0)).toBe(bobShares.length);
    const since = bob[0]?.timeMs ?? 0;
    const inChart = rejects.filter((reject) => reject.timeMs >= since);
    expect(bob.reduce((sum, point) => sum + point.rejected + point.stale, 0)).toBe(inChart.length);
    expect(bob.reduce((sum, point) => sum + point.stale, 0)).toBe(inChart.filter((r) => r.stale).length);
    const pool = await hashrateChart(database.db, { kind: 'pool' }, day);
    const poolShares = all.filter((share) => share.timeMs >= (pool[0]?.timeMs ?? 0));
    expect(pool.reduce((sum, point) => sum + point.accepted, 0)).toBe(poolShares.length);
    expect(pool.map((point) => point.timeMs)).toEqual(alice.map((point) => point.timeMs));
    // Before the streams began: nothing to measure, one null a minute; the share counts stay 0.
    const before = await hashrateChart(
      database.db,
      { kind: 'pool' },
      {
        fromMs: NOW - 30 * 3_600_000,
        toMs: NOW - 29 * 3_600_000,
        bucketSeconds: 60,
      },
    );
    // The start rounds down to its minute: 61 buckets cover the hour.
    expect(before).toHaveLength(61);
    expect(before.every((point) => point.hashrate === null && point.accepted === 0)).toBe(true);
  });

  it('refuses a bucket that is not whole minutes, and a range that ends before it starts', async () => {
    await expect(
      hashrateChart(database.db, { kind: 'pool' }, { fromMs: 0, toMs: 1, bucketSeconds: 90 }),
    ).rejects.toThrow('a chart bucket is a whole number of minutes, not 90 s');
    await expect(
      hashrateChart(database.db, { kind: 'pool' }, { fromMs: 10, toMs: 10, bucketSeconds: 60 }),
    ).rejects.toThrow('a chart ends after it starts');
  });
});
