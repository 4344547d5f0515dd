import type {
  CurtailmentOrder,
  CurtailmentOrderCreate,
  CurtailmentOrderRecorded,
  CurtailmentOrderWithdrawn,
  CurtailmentUnable,
} from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { totalDifficulty, workerWork } from '../../ledger/worker-production.ts';
import { farmPoolUsers } from '../devices/devices.ts';
import { queueCurtailment } from './device-commands.ts';
import {
  assessCompliance,
  COMPLIANCE_DEFAULTS,
  type CommandEvidence,
  type DeviceEvidence,
  type DeviceReading,
  type PoolEvidence,
} from './compliance.ts';
import { HASHES_PER_DIFFICULTY } from '../economics/hashprice.ts';
import type { MeterReading } from '../energy/meter-energy.ts';

/**
 * Grid operators' curtailment orders for a farm: recorded with who entered them, able
 * to put the farm's devices to sleep (staggered, finishing by the start), and judged
 * afterwards from all the evidence: meters, devices' telemetry, the commands' outcomes
 * and the hashrate the pool measured from the farm's workers.
 */

interface OrderRow {
  readonly id: string;
  readonly farm_id: string;
  readonly notice_at: Date;
  readonly starts_at: Date;
  readonly ends_at: Date;
  readonly reduction_kw: number;
  readonly notice_ref: string | null;
  readonly email: string;
  readonly curtailment: string | null;
}

const ORDER_SELECT = `SELECT o.id::text, o.farm_id::text, o.notice_at, o.starts_at, o.ends_at, o.reduction_kw,
       o.notice_ref, u.email, o.curtailment::text
  FROM curtailment_orders o JOIN users u ON u.id = o.ordered_by`;

export async function createOrder(
  db: Queryable,
  farmId: string,
  order: CurtailmentOrderCreate,
  by: { readonly userId: string; readonly nowMs: number },
): Promise<CurtailmentOrderRecorded> {
  const noticeAtMs = order.noticeAt === undefined ? by.nowMs : Date.parse(order.noticeAt);
  const startsAtMs = Date.parse(order.startsAt);
  const endsAtMs = Date.parse(order.endsAt);
  if (endsAtMs <= startsAtMs) {
    throw new HwError('HW_ERR_VALIDATION', 'An order ends after it starts.', 'body.endsAt');
  }
  if (startsAtMs < noticeAtMs) {
    throw new HwError('HW_ERR_VALIDATION', 'An order starts at or after its notice.', 'body.startsAt');
  }
  if (order.deviceIds !== undefined && order.staggerMinutes === undefined) {
    throw new HwError(
      'HW_ERR_VALIDATION',
      'Devices are named to be put to sleep: give staggerMinutes too.',
      'body.staggerMinutes',
    );
  }
  let curtailment: string | null = null;
  let unable: CurtailmentUnable[] = [];
  if (order.staggerMinutes !== undefined) {
    // The devices are all asleep by the start: the stagger ends there, or begins now if the start is near.
    const stagger = Math.min(order.staggerMinutes, Math.max(0, (startsAtMs - by.nowMs) / 60_000));
    const queued = await queueCurtailment(db, farmId, {
      action: 'sleep',
      staggerMinutes: Math.floor(stagger),
      deviceIds: order.deviceIds,
      userId: by.userId,
      nowMs: Math.max(by.nowMs, startsAtMs - stagger * 60_000),
    });
    curtailment = queued.curtailment;
    unable = queued.unable;
  }
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO curtailment_orders (farm_id, notice_at, starts_at, ends_at, reduction_kw, notice_ref, ordered_by, curtailment)
     VALUES ($1, to_timestamp($2::double precision / 1000), $3, $4, $5, $6, $7, $8) RETURNING id::text`,
    [
      farmId,
      noticeAtMs,
      order.startsAt,
      order.endsAt,
      order.reductionKw,
      order.noticeRef ?? null,
      by.userId,
      curtailment,
    ],
  );
  const [created] = await listOrders(db, farmId, by.nowMs, rows[0]?.id);
  if (!created) {
    throw new Error('the order just created cannot be read back');
  }
  return { ...created, unable };
}

/**
 * Withdraws an order that has not started (entered by mistake, or lifted by the grid
 * operator before its start) with the sleep commands it queued that the agent has not
 * taken; those already sent have put their devices to sleep, and are counted. An order
 * that has started stays: it is judged when it ends.
 */
export async function withdrawOrder(
  db: Queryable,
  farmId: string,
  orderId: string,
  nowMs: number,
): Promise<CurtailmentOrderWithdrawn> {
  const [order] = await listOrders(db, farmId, nowMs, orderId);
  if (!order) {
    throw new HwError('HW_ERR_CURTAILMENT_ORDER_NOT_FOUND', undefined, 'params.orderId');
  }
  // Locked so that an agent taking the commands and the withdrawal do not cross.
  const { rows: locked } = await db.query<{ started: boolean }>(
    `SELECT starts_at <= to_timestamp($3::double precision / 1000) AS started
       FROM curtailment_orders WHERE farm_id = $1 AND id = $2 FOR UPDATE`,
    [farmId, orderId, nowMs],
  );
  if (locked[0]?.started !== false) {
    throw new HwError('HW_ERR_CURTAILMENT_ORDER_STARTED', undefined, 'params.orderId');
  }
  let commandsWithdrawn = 0;
  let commandsSent = 0;
  if (order.curtailment !== null) {
    const { rowCount } = await db.query(
      `DELETE FROM device_commands WHERE farm_id = $1 AND curtailment = $2 AND status = 'queued'`,
      [farmId, order.curtailment],
    );
    commandsWithdrawn = rowCount ?? 0;
    const { rows } = await db.query<{ sent: string }>(
      'SELECT count(*)::text AS sent FROM device_commands WHERE farm_id = $1 AND curtailment = $2',
      [farmId, order.curtailment],
    );
    commandsSent = Number(rows[0]?.sent ?? 0);
  }
  await db.query('DELETE FROM curtailment_orders WHERE farm_id = $1 AND id = $2', [farmId, orderId]);
  return { order, commandsWithdrawn, commandsSent };
}

/**
 * The farm's meters as one series: each meter's last reading in every minute, summed
 * over the minutes in which every meter read. `fromMs`–`toMs` bounds it.
 */
export async function farmEnergySeries(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<MeterReading[]> {
  const { rows } = await db.query<{ at: Date; energy_wh: number }>(
    `WITH last_in_minute AS (
       SELECT DISTINCT ON (meter_id, date_bin('1 minute', time, 'epoch')) meter_id,
              date_bin('1 minute', time, 'epoch') AS minute, time, energy_wh
         FROM meter_samples
        WHERE farm_id = $1 AND time BETWEEN to_timestamp($2::double precision / 1000) AND to_timestamp($3::double precision / 1000)
        ORDER BY meter_id, date_bin('1 minute', time, 'epoch'), time DESC
     )
     SELECT max(time) AS at, sum(energy_wh) AS energy_wh
       FROM last_in_minute
      GROUP BY minute
     HAVING count(*) = (SELECT count(*) FROM meters WHERE farm_id = $1)
      ORDER BY minute`,
    [farmId, fromMs, toMs],
  );
  return rows.map((row) => ({ atMs: row.at.getTime(), energyWh: row.energy_wh }));
}

/** Each device's telemetry between `fromMs` and `toMs`: what state it said it was in. */
async function deviceEvidence(
  db: Queryable,
  farmId: string,
  fromMs: number,
  toMs: number,
): Promise<DeviceEvidence[]> {
  const { rows } = await db.query<{
    device: string;
    time: Date;
    state: DeviceReading['state'];
    hashrate: number | null;
  }>(
    `SELECT d.device, s.time, s.state, s.hashrate
       FROM devices d JOIN miner_samples s ON s.device_id = d.id
      WHERE d.farm_id = $1
        AND s.time BETWEEN to_timestamp($2::double precision / 1000) AND to_timestamp($3::double precision / 1000)
      ORDER BY d.device, s.time`,
    [farmId, fromMs, toMs],
  );
  const byDevice = new Map<string, DeviceReading[]>();
  for (const row of rows) {
    const readings = byDevice.get(row.device) ?? [];
    readings.push({ atMs: row.time.getTime(), state: row.state, hashrate: row.hashrate });
    byDevice.set(row.device, readings);
  }
  return [...byDevice].map(([device, readings]) => ({ device, readings }));
}

/** The commands an order's curtailment sent, with how each ended. */
async function commandEvidence(
  db: Queryable,
  farmId: string,
  curtailment: string | null,
): Promise<CommandEvidence[]> {
  if (curtailment === null) {
    return [];
  }
  const { rows } = await db.query<{
    device: string;
    action: string;
    status: CommandEvidence['status'];
    outcome: string | null;
  }>(
    `SELECT d.device, c.action, c.status, c.outcome
       FROM device_commands c JOIN devices d ON d.id = c.device_id
      WHERE c.farm_id = $1 AND c.curtailment = $2
      ORDER BY d.device, c.id`,
    [farmId, curtailment],
  );
  return rows;
}

/**
 * H/s the pool measured from the workers named as the farm's devices' pool users, in
 * the hour before the notice and over the order from the start plus the grace; null
 * when no device is linked to a worker (as `GET /api/farms/:id/devices` measures it).
 */
async function poolEvidence(
  db: Queryable,
  farmId: string,
  windows: { readonly before: readonly [number, number]; readonly during: readonly [number, number] },
): Promise<PoolEvidence> {
  const poolUsers = await farmPoolUsers(db, farmId);
  const [before, during] = await Promise.all([
    workerWork(db, poolUsers, 'minute', ...windows.before),
    workerWork(db, poolUsers, 'minute', ...windows.during),
  ]);
  const beforeDifficulty = totalDifficulty(before);
  const duringDifficulty = totalDifficulty(during);
  if (beforeDifficulty === null || duringDifficulty === null) {
    return { beforeHs: null, duringHs: null };
  }
  const rate = (difficulty: number, [fromMs, toMs]: readonly [number, number]): number | null =>
    toMs > fromMs ? (difficulty * HASHES_PER_DIFFICULTY * 1000) / (toMs - fromMs) : null;
  return {
    beforeHs: rate(beforeDifficulty, windows.before),
    duringHs: rate(duringDifficulty, windows.during),
  };
}

/** The farm's orders, newest first; an ended order carries its verdict from all the evidence. */
export async function listOrders(
  db: Queryable,
  farmId: string,
  nowMs: number,
  onlyId?: string,
): Promise<CurtailmentOrder[]> {
  const { rows } = await db.query<OrderRow>(
    `${ORDER_SELECT} WHERE o.farm_id = $1 AND ($2::bigint IS NULL OR o.id = $2) ORDER BY o.starts_at DESC LIMIT 200`,
    [farmId, onlyId ?? null],
  );
  const orders: CurtailmentOrder[] = [];
  for (const row of rows) {
    const ended = row.ends_at.getTime() <= nowMs;
    let compliance: CurtailmentOrder['compliance'] = null;
    if (ended) {
      const noticeAtMs = row.notice_at.getTime();
      const startsAtMs = row.starts_at.getTime();
      const endsAtMs = row.ends_at.getTime();
      const judgedFromMs = Math.min(endsAtMs, startsAtMs + COMPLIANCE_DEFAULTS.graceMinutes * 60_000);
      const judged = assessCompliance(
        { noticeAtMs, startsAtMs, endsAtMs, reductionKw: row.reduction_kw },
        {
          meter: await farmEnergySeries(db, farmId, noticeAtMs - 3_600_000, endsAtMs),
          devices: await deviceEvidence(db, farmId, startsAtMs, endsAtMs),
          commands: await commandEvidence(db, farmId, row.curtailment),
          pool: await poolEvidence(db, farmId, {
            before: [noticeAtMs - 3_600_000, noticeAtMs],
            during: [judgedFromMs, endsAtMs],
          }),
        },
      );
      compliance = {
        verdict: judged.verdict,
        reasons: [...judged.reasons],
        findings: [...judged.findings],
        failedCommands: [...judged.failedCommands],
        hashingDevices: [...judged.hashingDevices],
        meterSuspect: judged.meterSuspect,
        baselineKw: judged.baselineKw,
        allowedKw: judged.allowedKw,
        reachedAt: judged.reachedAtMs === null ? null : new Date(judged.reachedAtMs).toISOString(),
        secondsLate: judged.secondsLate,
        peakKw: judged.peakKw,
        energyKwh: judged.energyKwh,
        poolHashrateBefore: judged.poolBeforeHs,
        poolHashrateDuring: judged.poolDuringHs,
      };
    }
    orders.push({
      id: row.id,
      farmId: row.farm_id,
      noticeAt: row.notice_at.toISOString(),
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
      reductionKw: row.reduction_kw,
      noticeRef: row.notice_ref,
      orderedBy: row.email,
      curtailment: row.curtailment,
      compliance,
    });
  }
  return orders;
}
