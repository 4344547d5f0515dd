import type { Queryable } from '../../db/pool.ts';

export interface OrderEvent {
  readonly orderId: string;
  readonly farmId: string;
  readonly createdAtMs: number;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly reductionKw: number;
}

/** Orders entered, or ended, in [fromMs, toMs): what is news to those told of orders. */
export async function orderEvents(
  db: Queryable,
  fromMs: number,
  toMs: number,
): Promise<{ readonly issued: OrderEvent[]; readonly ended: OrderEvent[] }> {
  const { rows } = await db.query<{
    id: string;
    farm_id: string;
    created_at: Date;
    starts_at: Date;
    ends_at: Date;
    reduction_kw: number;
  }>(
    `SELECT id::text, farm_id::text, created_at, starts_at, ends_at, reduction_kw FROM curtailment_orders
      WHERE created_at >= to_timestamp($1::double precision / 1000) AND created_at < to_timestamp($2::double precision / 1000)
         OR ends_at >= to_timestamp($1::double precision / 1000) AND ends_at < to_timestamp($2::double precision / 1000)
      ORDER BY id`,
    [fromMs, toMs],
  );
  const events = rows.map((row) => ({
    orderId: row.id,
    farmId: row.farm_id,
    createdAtMs: row.created_at.getTime(),
    startsAtMs: row.starts_at.getTime(),
    endsAtMs: row.ends_at.getTime(),
    reductionKw: row.reduction_kw,
  }));
  const within = (atMs: number): boolean => atMs >= fromMs && atMs < toMs;
  return {
    issued: events.filter((event) => within(event.createdAtMs)),
    ended: events.filter((event) => within(event.endsAtMs)),
  };
}
