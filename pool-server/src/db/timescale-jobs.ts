/**
 * TimescaleDB's background jobs (compression, retention, aggregate refreshes) run in the
 * server, where a failure is recorded and retried on back-off and nothing else hears of
 * it. This reads which of them are failing, for the metrics, /readyz and the alerts.
 */
import type { Queryable } from './pool.ts';

export interface FailingTimescaleJob {
  readonly jobId: number;
  /** Its application_name, as "Compression Policy [1002]". */
  readonly name: string;
  /** The procedure it runs, as "_timescaledb_functions.policy_compression". */
  readonly procedure: string;
  /** The hypertable it works on, schema-qualified; null for a job of no one table. */
  readonly hypertable: string | null;
  readonly failures: number;
  /** When it last finished without an error; null when it never has. */
  readonly lastSuccessAt: Date | null;
  readonly nextStartAt: Date | null;
  /**
   * Its newest recorded error; null when none is recorded (a job that crashed or ended
   * on a FATAL error leaves only the server log).
   */
  readonly lastError: { readonly message: string; readonly code: string | null; readonly at: Date } | null;
}

/**
 * `timescale: false`: the extension's views are not in this database (plain PostgreSQL,
 * or database.timescale off), so no job runs and none fails.
 */
export type TimescaleJobsReport =
  | { readonly timescale: false; readonly failing: readonly [] }
  | { readonly timescale: true; readonly failing: readonly FailingTimescaleJob[] };

interface FailingRow {
  readonly job_id: number;
  readonly application_name: string;
  readonly procedure: string;
  readonly hypertable: string | null;
  readonly total_failures: string;
  readonly last_successful_finish: Date | null;
  readonly next_start: Date | null;
  readonly err_message: string | null;
  readonly sqlerrcode: string | null;
  readonly finish_time: Date | null;
}

/** The jobs whose last run failed, by job id, each with its newest recorded error. */
export async function failingTimescaleJobs(db: Queryable): Promise<TimescaleJobsReport> {
  const { rows: present } = await db.query<{ present: boolean }>(
    "SELECT to_regclass('timescaledb_information.job_stats') IS NOT NULL AS present",
  );
  if (present[0]?.present !== true) {
    return { timescale: false, failing: [] };
  }
  const { rows } = await db.query<FailingRow>(
    `SELECT s.job_id, j.application_name, j.proc_schema || '.' || j.proc_name AS procedure,
            CASE WHEN s.hypertable_name IS NULL THEN NULL ELSE s.hypertable_schema || '.' || s.hypertable_name END AS hypertable,
            s.total_failures::text, s.last_successful_finish, s.next_start,
            e.err_message, e.sqlerrcode, e.finish_time
       FROM timescaledb_information.job_stats s
       JOIN timescaledb_information.jobs j ON j.job_id = s.job_id
       LEFT JOIN LATERAL (SELECT err_message, sqlerrcode, finish_time FROM timescaledb_information.job_errors
                           WHERE job_id = s.job_id ORDER BY finish_time DESC LIMIT 1) e ON true
      WHERE s.last_run_status = 'Failed'
      ORDER BY s.job_id`,
  );
  return {
    timescale: true,
    failing: rows.map((row) => ({
      jobId: row.job_id,
      name: row.application_name,
      procedure: row.procedure,
      hypertable: row.hypertable,
      failures: Number(row.total_failures),
      lastSuccessAt: row.last_successful_finish,
      nextStartAt: row.next_start,
      lastError:
        row.err_message === null || row.finish_time === null
          ? null
          : { message: row.err_message, code: row.sqlerrcode, at: row.finish_time },
    })),
  };
}
