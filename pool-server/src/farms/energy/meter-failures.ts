import type { SeriesSpan } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import type { SeriesFrame } from '../series-frame.ts';

/**
 * How far before a range a failed read is looked for: a meter that keeps failing fails at
 * every poll, so a span that began earlier still has failed reads this close to the range.
 */
const LOOKBACK = '1 day';

/**
 * The times each meter of a farm could not be read, clipped to the frame: from a failed
 * read to the meter's next good reading (consecutive failed reads are one span, with the
 * latest one's reason), or to the frame's end while no good reading came after. In such a
 * span the meter's power is unknown for that reason, never a gap that says nothing.
 */
export async function meterFailureSpans(
  db: Queryable,
  farmId: string,
  frame: SeriesFrame,
): Promise<SeriesSpan[]> {
  const { rows } = await db.query<{
    meter_id: string;
    name: string;
    started: Date;
    recovered: Date | null;
    reason: string;
  }>(
    `WITH failures AS (
       SELECT f.meter_id, f.time, f.reason,
              (SELECT min(s.time) FROM meter_samples s WHERE s.meter_id = f.meter_id AND s.time > f.time) AS recovered
         FROM meter_read_failures f
        WHERE f.farm_id = $1 AND f.time < $3 AND f.time >= $2::timestamptz - $4::interval
     )
     SELECT f.meter_id::text, m.name, min(f.time) AS started, f.recovered,
            (array_agg(f.reason ORDER BY f.time DESC))[1] AS reason
       FROM failures f JOIN meters m ON m.id = f.meter_id
      GROUP BY f.meter_id, m.name, f.recovered
     HAVING f.recovered IS NULL OR f.recovered > $2
      ORDER BY started, m.name`,
    [farmId, new Date(frame.fromMs), new Date(frame.toMs), LOOKBACK],
  );
  return rows.map((row) => {
    const fromMs = Math.max(row.started.getTime(), frame.fromMs);
    return {
      kind: 'meter-read-failed',
      id: `${row.meter_id}:${row.started.toISOString()}`,
      from: new Date(fromMs).toISOString(),
      to: new Date(Math.min(row.recovered?.getTime() ?? frame.toMs, frame.toMs)).toISOString(),
      class: null,
      meter: row.name,
      reason: row.reason,
    };
  });
}
