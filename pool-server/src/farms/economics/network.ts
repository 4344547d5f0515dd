import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import type { NetworkState } from './hashprice.ts';

/**
 * The network as the pool's templates saw it: difficulty by height, and the fees each
 * height's last template carried. Hashprice at a moment takes the difficulty then and
 * the mean fees of the heights before it.
 */

export interface TemplateSeen {
  readonly height: number;
  readonly difficulty: number;
  readonly feesSats: number;
  readonly atMs: number;
}

/** Records a template: a new height's first sighting, or a fresher fee total for it. */
export async function recordTemplate(db: Queryable, template: TemplateSeen): Promise<void> {
  await db.query(
    `INSERT INTO network_heights (height, difficulty, fees_sats, first_seen, updated_at)
     VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), to_timestamp($4::double precision / 1000))
     ON CONFLICT (height) DO UPDATE SET difficulty = excluded.difficulty, fees_sats = excluded.fees_sats,
       updated_at = excluded.updated_at
     WHERE network_heights.updated_at <= excluded.updated_at`,
    [template.height, template.difficulty, template.feesSats, template.atMs],
  );
}

/** The network at a moment: the last height seen by then, its difficulty, and fees averaged over `windowBlocks` heights. */
export async function networkAt(db: Queryable, atMs: number, windowBlocks: number): Promise<NetworkState> {
  const { rows } = await db.query<{ height: number; difficulty: number; average_fees: number }>(
    `WITH latest AS (
       SELECT height, difficulty FROM network_heights
        WHERE first_seen <= to_timestamp($1::double precision / 1000)
        ORDER BY height DESC LIMIT 1
     )
     SELECT l.height, l.difficulty,
            (SELECT avg(fees_sats)::double precision FROM network_heights n
              WHERE n.height <= l.height AND n.height > l.height - $2) AS average_fees
       FROM latest l`,
    [atMs, windowBlocks],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_NETWORK_UNKNOWN');
  }
  return { height: row.height, difficulty: row.difficulty, averageFeesSats: row.average_fees };
}
