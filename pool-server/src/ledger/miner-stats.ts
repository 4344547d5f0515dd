import type { MinerStats, ShareCounts, WorkerProtocol, WorkerStats } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import {
  HASHRATE_WINDOWS_SECONDS,
  estimateOf,
  spanLayout,
  spanParams,
  spanRows,
  windowStart,
} from './hashrate.ts';

const [TEN_MINUTES, ONE_HOUR, ONE_DAY] = HASHRATE_WINDOWS_SECONDS as [number, number, number];
const PAYMENTS_SHOWN = 20;

interface WorkerRow {
  readonly name: string;
  readonly worker_id: string;
  readonly d10: number | null;
  readonly a10: string | null;
  readonly d1h: number | null;
  readonly a1h: string | null;
  readonly d24: number;
  readonly accepted: string;
  readonly rejected: string;
  readonly stale: string;
  readonly duplicate: string;
  readonly low_difficulty: string;
  readonly last_share: Date | null;
  readonly protocol: WorkerProtocol | null;
}

interface Totals {
  difficulty: number;
  accepted: number;
}

/**
 * One account's page, as ckpool's and public-pool's user pages show it: its hashrate,
 * each worker seen in the last day with its hashrate, last share and share counts, its
 * balances and its payments (the API adds what it is expected to earn). Undefined when
 * the pool never had a share from it.
 */
export async function minerStats(
  db: Database,
  account: string,
  nowMs: number,
): Promise<Omit<MinerStats, 'earnings'> | undefined> {
  const found = await db.query<{ id: string; payout_address: string | null }>(
    'SELECT id::text, payout_address FROM accounts WHERE name = $1',
    [account],
  );
  const [row] = found.rows;
  if (!row) {
    return undefined;
  }
  const layout = spanLayout(nowMs, [TEN_MINUTES, ONE_HOUR, ONE_DAY]);
  const [workers, books, payments] = await Promise.all([
    db.query<WorkerRow>(
      `SELECT w.name, w.id::text AS worker_id, w.protocol,
              sum(r.accepted_difficulty) FILTER (WHERE r.bucket >= $6) AS d10, sum(r.accepted) FILTER (WHERE r.bucket >= $6)::text AS a10,
              sum(r.accepted_difficulty) FILTER (WHERE r.bucket >= $7) AS d1h, sum(r.accepted) FILTER (WHERE r.bucket >= $7)::text AS a1h,
              sum(r.accepted_difficulty) AS d24, sum(r.accepted)::text AS accepted,
              sum(r.rejected)::text AS rejected, sum(r.stale)::text AS stale,
              sum(r.duplicate)::text AS duplicate, sum(r.low_difficulty)::text AS low_difficulty,
              max(r.bucket) FILTER (WHERE r.accepted > 0) AS last_share
         FROM (${spanRows(false)}) r
         JOIN workers w ON w.id = r.worker_id
        GROUP BY w.name, w.id, w.protocol ORDER BY w.name`,
      [
        ...spanParams(layout, nowMs + 1, account),
        new Date(windowStart(nowMs, TEN_MINUTES)),
        new Date(windowStart(nowMs, ONE_HOUR)),
      ],
    ),
    db.query<{ immature: string | null; payable: string | null; paid: string | null }>(
      `SELECT (SELECT amount FROM balances WHERE book = 'immature:' || $1::text)::text AS immature,
              (SELECT amount FROM balances WHERE book = 'miner:' || $1::text)::text AS payable,
              (SELECT sum(i.amount) FROM payout_items i JOIN payouts p ON p.id = i.payout_id
                WHERE i.account_id = $1::bigint AND p.status = 'sent')::text AS paid`,
      [row.id],
    ),
    db.query<{ txid: string; amount: string; address: string; sent_at: Date }>(
      `SELECT p.txid, i.amount::text, i.address, p.sent_at FROM payout_items i JOIN payouts p ON p.id = i.payout_id
        WHERE i.account_id = $1 AND p.status = 'sent' ORDER BY p.sent_at DESC LIMIT $2`,
      [row.id, PAYMENTS_SHOWN],
    ),
  ]);
  const lastShares = await lastShareMinutes(db, workers.rows, layout.edgeMs, layout.cutMs);
  const sums = { ten: zero(), hour: zero(), day: zero(), refused: noRefusals() };
  const workerStats: WorkerStats[] = workers.rows.map((worker) => {
    const ten = { difficulty: worker.d10 ?? 0, accepted: Number(worker.a10 ?? 0) };
    const hour = { difficulty: worker.d1h ?? 0, accepted: Number(worker.a1h ?? 0) };
    const day = { difficulty: worker.d24, accepted: Number(worker.accepted) };
    add(sums.ten, ten);
    add(sums.hour, hour);
    add(sums.day, day);
    const refused = refusalsOf(worker);
    addRefusals(sums.refused, refused);
    return {
      name: worker.name,
      hashrate: windows(nowMs, ten, hour, day),
      lastShareAt: (lastShares.get(worker.worker_id) ?? worker.last_share)?.toISOString() ?? null,
      shares: shareCounts(day.accepted, refused),
      protocol: worker.protocol,
    };
  });
  const balance = books.rows[0];
  return {
    account,
    payoutAddress: row.payout_address,
    hashrate: windows(nowMs, sums.ten, sums.hour, sums.day),
    workers: workerStats,
    shares: shareCounts(sums.day.accepted, sums.refused),
    balance: {
      immature: Number(balance?.immature ?? 0),
      payable: Number(balance?.payable ?? 0),
      paid: Number(balance?.paid ?? 0),
    },
    payments: payments.rows.map((payment) => ({
      txid: payment.txid,
      amount: Number(payment.amount),
      address: payment.address,
      sentAt: payment.sent_at.toISOString(),
    })),
  };
}

/**
 * A worker last seen in the hours read whole has its last share at an hour's start in
 * the span's rows; its minutes of that hour say when exactly.
 */
async function lastShareMinutes(
  db: Database,
  workers: readonly WorkerRow[],
  edgeMs: number,
  cutMs: number,
): Promise<Map<string, Date>> {
  const inHours = workers.filter(
    (worker) =>
      worker.last_share !== null &&
      worker.last_share.getTime() >= edgeMs &&
      worker.last_share.getTime() < cutMs,
  );
  if (inHours.length === 0) {
    return new Map();
  }
  const { rows } = await db.query<{ worker_id: string; last_share: Date | null }>(
    `SELECT w.worker_id::text, (SELECT max(bucket) FROM share_rollups_minute m
                                  WHERE m.worker_id = w.worker_id AND m.bucket >= w.hour
                                    AND m.bucket < w.hour + interval '1 hour' AND m.accepted > 0) AS last_share
       FROM unnest($1::bigint[], $2::timestamptz[]) AS w (worker_id, hour)`,
    [inHours.map((worker) => worker.worker_id), inHours.map((worker) => worker.last_share)],
  );
  return new Map(
    rows.flatMap((row) => (row.last_share === null ? [] : [[row.worker_id, row.last_share] as const])),
  );
}

type Refusals = Omit<ShareCounts, 'accepted' | 'rejectRate'>;

function noRefusals(): Refusals {
  return { rejected: 0, stale: 0, duplicate: 0, lowDifficulty: 0, invalid: 0 };
}

function refusalsOf(worker: WorkerRow): Refusals {
  const rejected = Number(worker.rejected);
  const duplicate = Number(worker.duplicate);
  const lowDifficulty = Number(worker.low_difficulty);
  return {
    rejected,
    stale: Number(worker.stale),
    duplicate,
    lowDifficulty,
    invalid: rejected - duplicate - lowDifficulty,
  };
}

function addRefusals(into: Refusals, more: Refusals): void {
  into.rejected += more.rejected;
  into.stale += more.stale;
  into.duplicate += more.duplicate;
  into.lowDifficulty += more.lowDifficulty;
  into.invalid += more.invalid;
}

function shareCounts(accepted: number, refused: Refusals): ShareCounts {
  const sent = accepted + refused.rejected + refused.stale;
  return {
    accepted,
    ...refused,
    rejectRate: sent === 0 ? null : (refused.rejected + refused.stale) / sent,
  };
}

function zero(): Totals {
  return { difficulty: 0, accepted: 0 };
}

function add(into: Totals, more: Totals): void {
  into.difficulty += more.difficulty;
  into.accepted += more.accepted;
}

function windows(nowMs: number, ten: Totals, hour: Totals, day: Totals): MinerStats['hashrate'] {
  return {
    tenMinutes: estimateOf(TEN_MINUTES, nowMs, ten).hashrate,
    oneHour: estimateOf(ONE_HOUR, nowMs, hour).hashrate,
    oneDay: estimateOf(ONE_DAY, nowMs, day).hashrate,
  };
}
