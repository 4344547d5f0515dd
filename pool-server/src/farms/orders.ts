import type { CurtailmentOrder, CurtailmentOrderCreate } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { queueCurtailment } from './commands.ts';
import { assessCompliance } from './compliance.ts';
import type { MeterReading } from './energy.ts';

/**
 * Grid operators' curtailment orders for a farm: recorded with who entered them, able
 * to put the farm's devices to sleep (staggered, finishing by the start), and judged
 * afterwards from the farm's meters.
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
  db: Database,
  farmId: string,
  order: CurtailmentOrderCreate,
  by: { readonly userId: string; readonly nowMs: number },
): Promise<CurtailmentOrder> {
  const noticeAtMs = order.noticeAt === undefined ? by.nowMs : Date.parse(order.noticeAt);
  const startsAtMs = Date.parse(order.startsAt);
  const endsAtMs = Date.parse(order.endsAt);
  if (endsAtMs <= startsAtMs) {
    throw new HwError('HW_ERR_VALIDATION', 'An order ends after it starts.', 'body.endsAt');
  }
  if (startsAtMs < noticeAtMs) {
    throw new HwError('HW_ERR_VALIDATION', 'An order starts at or after its notice.', 'body.startsAt');
  }
  let curtailment: string | null = null;
  if (order.staggerMinutes !== undefined) {
    // The devices are all asleep by the start: the stagger ends there, or begins now if the start is near.
    const stagger = Math.min(order.staggerMinutes, Math.max(0, (startsAtMs - by.nowMs) / 60_000));
    const queued = await queueCurtailment(db, farmId, {
      action: 'sleep',
      staggerMinutes: Math.floor(stagger),
      userId: by.userId,
      nowMs: Math.max(by.nowMs, startsAtMs - stagger * 60_000),
    });
    curtailment = queued.curtailment;
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
  return created;
}

/**
 * The farm's meters as one series: each meter's last reading in every minute, summed
 * over the minutes in which every meter read. `fromMs`–`toMs` bounds it.
 */
export async function farmEnergySeries(
  db: Database,
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

/** The farm's orders, newest first; an ended order carries its measured compliance. */
export async function listOrders(
  db: Database,
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
      const series = await farmEnergySeries(
        db,
        farmId,
        row.notice_at.getTime() - 3_600_000,
        row.ends_at.getTime(),
      );
      const judged = assessCompliance(
        {
          noticeAtMs: row.notice_at.getTime(),
          startsAtMs: row.starts_at.getTime(),
          endsAtMs: row.ends_at.getTime(),
          reductionKw: row.reduction_kw,
        },
        series,
      );
      compliance = {
        baselineKw: judged.baselineKw,
        allowedKw: judged.allowedKw,
        reachedAt: judged.reachedAtMs === null ? null : new Date(judged.reachedAtMs).toISOString(),
        secondsLate: judged.secondsLate,
        peakKw: judged.peakKw,
        energyKwh: judged.energyKwh,
        pass: judged.pass,
        reason: judged.reason,
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
