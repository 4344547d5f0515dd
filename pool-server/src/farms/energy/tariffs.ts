import type { RestrictedWindow, RestrictedWindowCreate, Tariff, TariffCreate } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';

/** A farm's tariffs (newest first) and the restricted windows that hold for it. */

interface TariffRow {
  readonly id: string;
  readonly currency: Tariff['currency'];
  readonly effective_from: string;
  readonly default_price_per_kwh: number;
  readonly bands: Tariff['bands'];
  readonly email: string;
}

export async function addTariff(
  db: Queryable,
  farmId: string,
  tariff: TariffCreate,
  userId: string,
): Promise<Tariff> {
  try {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO tariffs (farm_id, currency, effective_from, default_price_per_kwh, bands, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
      [
        farmId,
        tariff.currency,
        tariff.effectiveFrom,
        tariff.defaultPricePerKwh,
        JSON.stringify(tariff.bands),
        userId,
      ],
    );
    return await tariffOf(db, farmId, rows[0]?.id ?? '');
  } catch (error) {
    throw tariffDayTaken(error);
  }
}

/**
 * Replaces a tariff's currency, day and prices (its bands with them): a tariff entered
 * wrong is corrected, not added again. Costs are computed when asked, so every period
 * it covers is priced anew; reports already issued keep what they said.
 */
export async function replaceTariff(
  db: Queryable,
  farmId: string,
  tariffId: string,
  tariff: TariffCreate,
): Promise<Tariff> {
  try {
    const { rowCount } = await db.query(
      `UPDATE tariffs SET currency = $3, effective_from = $4, default_price_per_kwh = $5, bands = $6
        WHERE farm_id = $1 AND id = $2`,
      [
        farmId,
        tariffId,
        tariff.currency,
        tariff.effectiveFrom,
        tariff.defaultPricePerKwh,
        JSON.stringify(tariff.bands),
      ],
    );
    if (rowCount === 0) {
      throw new HwError('HW_ERR_TARIFF_NOT_FOUND', undefined, 'params.tariffId');
    }
  } catch (error) {
    throw tariffDayTaken(error);
  }
  return tariffOf(db, farmId, tariffId);
}

/** Removes a tariff: the one before it holds on, or no price at all before the first. */
export async function deleteTariff(db: Queryable, farmId: string, tariffId: string): Promise<Tariff> {
  const removed = await tariffOf(db, farmId, tariffId);
  await db.query('DELETE FROM tariffs WHERE farm_id = $1 AND id = $2', [farmId, tariffId]);
  return removed;
}

export async function tariffOf(db: Queryable, farmId: string, tariffId: string): Promise<Tariff> {
  const found = (await listTariffs(db, farmId)).find((tariff) => tariff.id === tariffId);
  if (!found) {
    throw new HwError('HW_ERR_TARIFF_NOT_FOUND', undefined, 'params.tariffId');
  }
  return found;
}

/** Two tariffs of a farm from one day: the unique key says which field to change. */
function tariffDayTaken(error: unknown): unknown {
  return (error as { code?: string }).code === '23505'
    ? new HwError('HW_ERR_NAME_TAKEN', 'This farm has a tariff from that day already.', 'body.effectiveFrom')
    : error;
}

export async function listTariffs(db: Queryable, farmId: string): Promise<Tariff[]> {
  const { rows } = await db.query<TariffRow>(
    `SELECT t.id::text, t.currency, t.effective_from::text, t.default_price_per_kwh, t.bands, u.email
       FROM tariffs t JOIN users u ON u.id = t.created_by
      WHERE t.farm_id = $1 ORDER BY t.effective_from DESC`,
    [farmId],
  );
  return rows.map((row) => ({
    id: row.id,
    currency: row.currency,
    effectiveFrom: row.effective_from,
    defaultPricePerKwh: row.default_price_per_kwh,
    bands: row.bands,
    createdBy: row.email,
  }));
}

interface WindowRow {
  readonly id: string;
  readonly farm_id: string | null;
  readonly country: string | null;
  readonly region: string | null;
  readonly class: RestrictedWindow['class'];
  readonly daily_from: string;
  readonly daily_to: string;
  readonly valid_from: string;
  readonly valid_to: string | null;
  readonly notice_ref: string | null;
}

const WINDOW_COLUMNS = `w.id::text, w.farm_id::text, w.country, w.region, w.class, w.daily_from, w.daily_to,
  w.valid_from::text, w.valid_to::text, w.notice_ref`;

function windowFrom(row: WindowRow): RestrictedWindow {
  return {
    id: row.id,
    farmId: row.farm_id,
    country: row.country,
    region: row.region,
    class: row.class,
    from: row.daily_from,
    to: row.daily_to,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    noticeRef: row.notice_ref,
  };
}

export async function addFarmWindow(
  db: Queryable,
  farmId: string,
  window: RestrictedWindowCreate,
  userId: string,
): Promise<RestrictedWindow> {
  if (window.validTo !== undefined && window.validTo < window.validFrom) {
    throw new HwError('HW_ERR_VALIDATION', 'A window ends on or after the day it starts.', 'body.validTo');
  }
  const { rows } = await db.query<WindowRow>(
    `INSERT INTO restricted_windows AS w (farm_id, class, daily_from, daily_to, valid_from, valid_to, notice_ref, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${WINDOW_COLUMNS}`,
    [
      farmId,
      window.class,
      window.from,
      window.to,
      window.validFrom,
      window.validTo ?? null,
      window.noticeRef ?? null,
      userId,
    ],
  );
  return windowFrom(rows[0] as WindowRow);
}

/** The windows that hold for a farm: its own, and those of its country and region. */
export async function windowsForFarm(db: Queryable, farmId: string): Promise<RestrictedWindow[]> {
  const { rows } = await db.query<WindowRow>(
    `SELECT ${WINDOW_COLUMNS} FROM restricted_windows w, farms f
      WHERE f.id = $1
        AND (w.farm_id = f.id OR (w.country = f.country AND (w.region IS NULL OR w.region = f.region)))
      ORDER BY w.valid_from, w.id`,
    [farmId],
  );
  return rows.map(windowFrom);
}

/**
 * Removes a window the farm's operator set; a country's or region's window (set for
 * every farm there) is not the farm's to remove.
 */
export async function deleteFarmWindow(
  db: Queryable,
  farmId: string,
  windowId: string,
): Promise<RestrictedWindow> {
  const { rows } = await db.query<WindowRow>(
    `DELETE FROM restricted_windows AS w WHERE w.farm_id = $1 AND w.id = $2 RETURNING ${WINDOW_COLUMNS}`,
    [farmId, windowId],
  );
  const [removed] = rows;
  if (!removed) {
    throw new HwError('HW_ERR_RESTRICTED_WINDOW_NOT_FOUND', undefined, 'params.windowId');
  }
  return windowFrom(removed);
}
