/**
 * Starts: databases of their own on the real PostgreSQL, and on TimescaleDB when
 * TIMESCALE_URL names one. Which TimescaleDB background jobs are failing, read from the
 * extension's information views; nothing at all where the extension is not used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failingTimescaleJobs } from '../../src/db/timescale-jobs.ts';
import { createTestDatabase, STORAGE_SERVERS, type TestDatabase } from '../helpers/database.ts';
import { eventually } from '../helpers/eventually.ts';

const [postgres, timescale] = STORAGE_SERVERS as [(typeof STORAGE_SERVERS)[0], (typeof STORAGE_SERVERS)[0]];

describe(`failing TimescaleDB jobs on ${postgres.server}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false, serverUrl: postgres.url() });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('are none, and say TimescaleDB is not there, without the extension', async () => {
    expect(await failingTimescaleJobs(database.db)).toEqual({ timescale: false, failing: [] });
  });

  it('are read from the views TimescaleDB 2.28 defines: the failed ones, each with its newest error', async () => {
    // The columns of timescaledb_information.{jobs,job_stats,job_errors} this reads, as 2.28
    // defines them; the real views are read on TIMESCALE_URL below.
    await database.db.query(`
      CREATE SCHEMA timescaledb_information;
      CREATE TABLE timescaledb_information.jobs (job_id integer, application_name name, proc_schema name, proc_name name);
      CREATE TABLE timescaledb_information.job_stats (
        hypertable_schema name, hypertable_name name, job_id integer, last_successful_finish timestamptz,
        last_run_status text, next_start timestamptz, total_failures bigint);
      CREATE TABLE timescaledb_information.job_errors (
        job_id integer, finish_time timestamptz, sqlerrcode text, err_message text);
      INSERT INTO timescaledb_information.jobs VALUES
        (1000, 'Compression Policy [1000]', '_timescaledb_functions', 'policy_compression'),
        (1001, 'Retention Policy [1001]', '_timescaledb_functions', 'policy_retention'),
        (1002, 'Refresh Continuous Aggregate Policy [1002]', '_timescaledb_functions', 'policy_refresh_continuous_aggregate');
      INSERT INTO timescaledb_information.job_stats VALUES
        ('public', 'share_rollups_minute', 1000, NULL, 'Failed', '2026-12-07 08:00Z', 3),
        ('public', 'shares', 1001, '2026-12-07 06:00Z', 'Success', '2026-12-08 06:00Z', 0),
        (NULL, NULL, 1002, '2026-12-06 06:00Z', 'Failed', '2026-12-07 07:30Z', 1);
      INSERT INTO timescaledb_information.job_errors VALUES
        (1000, '2026-12-07 05:00Z', 'XX000', 'an older error'),
        (1000, '2026-12-07 07:00Z', 'XX000', 'cannot drop portal "" while it is being set up');
    `);
    expect(await failingTimescaleJobs(database.db)).toEqual({
      timescale: true,
      failing: [
        {
          jobId: 1000,
          name: 'Compression Policy [1000]',
          procedure: '_timescaledb_functions.policy_compression',
          hypertable: 'public.share_rollups_minute',
          failures: 3,
          lastSuccessAt: null,
          nextStartAt: new Date('2026-12-07T08:00:00Z'),
          lastError: {
            message: 'cannot drop portal "" while it is being set up',
            code: 'XX000',
            at: new Date('2026-12-07T07:00:00Z'),
          },
        },
        {
          jobId: 1002,
          name: 'Refresh Continuous Aggregate Policy [1002]',
          procedure: '_timescaledb_functions.policy_refresh_continuous_aggregate',
          hypertable: null,
          failures: 1,
          lastSuccessAt: new Date('2026-12-06T06:00:00Z'),
          nextStartAt: new Date('2026-12-07T07:30:00Z'),
          // A crash or a FATAL error records no row in job_errors.
          lastError: null,
        },
      ],
    });
  });
});

describe.skipIf(timescale.skip)(`failing TimescaleDB jobs on ${timescale.server}`, () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ serverUrl: timescale.url() });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('include a job whose run failed, with its error', async () => {
    await database.db.query(`CREATE PROCEDURE hashwatt_test_refused(job_id integer, config jsonb)
      LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`);
    const { rows } = await database.db.query<{ job_id: number }>(
      "SELECT add_job('hashwatt_test_refused', interval '1 hour', initial_start => now()) AS job_id",
    );
    const jobId = rows[0]?.job_id;
    const job = await eventually(async () => {
      const report = await failingTimescaleJobs(database.db);
      expect(report.timescale).toBe(true);
      return report.failing.find((failing) => failing.jobId === jobId && failing.lastError !== null);
    }, 'the scheduler to run the job');
    expect(job).toMatchObject({ procedure: 'public.hashwatt_test_refused', failures: 1, hypertable: null });
    expect(job.lastError?.message).toBe('refused by the test');
  });
});
