import { describe, expect, it } from 'vitest';
import type { TimescaleJobsReport } from '../db/timescale-jobs.ts';
import { checkReadiness, type HealthProbes } from './health.ts';

const AT = Date.parse('2026-12-07T09:00:00Z');

const FAILING: TimescaleJobsReport = {
  timescale: true,
  failing: [
    {
      jobId: 1002,
      name: 'Compression Policy [1002]',
      procedure: '_timescaledb_functions.policy_compression',
      hypertable: 'public.share_rollups_minute',
      failures: 14,
      lastSuccessAt: null,
      nextStartAt: new Date(AT + 60_000),
      lastError: {
        message: 'cannot drop portal "" while it is being set up',
        code: 'XX000',
        at: new Date(AT),
      },
    },
  ],
};

function probes(overrides: Partial<HealthProbes>): HealthProbes {
  return {
    database: () => Promise.resolve(),
    node: () => Promise.resolve(),
    nats: undefined,
    timescaleJobs: () => Promise.resolve({ timescale: false, failing: [] }),
    journals: () => [],
    now: () => AT,
    ...overrides,
  };
}

describe('readiness', () => {
  it("names TimescaleDB's failing jobs and stays ready: shares are stored without them", async () => {
    const readiness = await checkReadiness(probes({ timescaleJobs: () => Promise.resolve(FAILING) }));
    expect(readiness.status).toBe('ready');
    expect(readiness.timescaleJobs).toEqual({ failing: 1, names: ['Compression Policy [1002]'] });
    // Public: the error's text stays in the metrics and alerts, for operators.
    expect(JSON.stringify(readiness)).not.toContain('portal');
  });

  it('says none fail when TimescaleDB runs without failures', async () => {
    const readiness = await checkReadiness(
      probes({ timescaleJobs: () => Promise.resolve({ timescale: true, failing: [] }) }),
    );
    expect(readiness.timescaleJobs).toEqual({ failing: 0, names: [] });
  });

  it('gives null, not zero, without TimescaleDB, without a database, or when the question fails', async () => {
    expect((await checkReadiness(probes({}))).timescaleJobs).toBeNull();
    expect(
      (await checkReadiness(probes({ database: undefined, timescaleJobs: undefined }))).timescaleJobs,
    ).toBeNull();
    const down = await checkReadiness(
      probes({
        database: () => Promise.reject(new Error('connection refused')),
        timescaleJobs: () => Promise.reject(new Error('connection refused')),
      }),
    );
    expect(down).toMatchObject({ status: 'not-ready', database: { reachable: false }, timescaleJobs: null });
  });
});
