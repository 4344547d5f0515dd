/**
 * A farm's own alert thresholds: each one its operators set overrides the pool-wide
 * default (alerts.*, farms.hashrateGapAlertPercent) for that farm alone; the others keep
 * the default, and follow it when the pool's configuration changes.
 */
import type {
  AlertThresholdOverrides,
  AlertThresholdsPatch,
  AlertThresholdValues,
  FarmAlertThresholds,
} from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { invertedRanges } from '../config/alerts.ts';
import { HwError } from '../errors.ts';

type ThresholdName = keyof AlertThresholdValues;

/** Each threshold's column in farm_alert_thresholds (0030, 0031). */
const COLUMNS: Readonly<Record<ThresholdName, string>> = {
  silentMinutes: 'silent_minutes',
  minChipTempC: 'min_chip_temp_c',
  maxChipTempC: 'max_chip_temp_c',
  minFanRpm: 'min_fan_rpm',
  maxFanRpm: 'max_fan_rpm',
  maxFanPercent: 'max_fan_percent',
  gapPercent: 'gap_percent',
  windowLeadMinutes: 'window_lead_minutes',
};
const NAMES = Object.keys(COLUMNS) as ThresholdName[];

export const NO_OVERRIDES: AlertThresholdOverrides = {
  silentMinutes: null,
  minChipTempC: null,
  maxChipTempC: null,
  minFanRpm: null,
  maxFanRpm: null,
  maxFanPercent: null,
  gapPercent: null,
  windowLeadMinutes: null,
};

/** The pool-wide thresholds, from alerts.* and farms.hashrateGapAlertPercent. */
export function poolAlertThresholds(
  alerts: Omit<AlertThresholdValues, 'gapPercent'>,
  gapPercent: number,
): AlertThresholdValues {
  return {
    silentMinutes: alerts.silentMinutes,
    minChipTempC: alerts.minChipTempC,
    maxChipTempC: alerts.maxChipTempC,
    minFanRpm: alerts.minFanRpm,
    maxFanRpm: alerts.maxFanRpm,
    maxFanPercent: alerts.maxFanPercent,
    gapPercent,
    windowLeadMinutes: alerts.windowLeadMinutes,
  };
}

/** What the rules use for a farm: its overrides where set, the pool's defaults elsewhere. */
export function effectiveThresholds(
  defaults: AlertThresholdValues,
  overrides: AlertThresholdOverrides | undefined,
): AlertThresholdValues {
  if (overrides === undefined) {
    return defaults;
  }
  const effective = { ...defaults };
  for (const name of NAMES) {
    effective[name] = overrides[name] ?? defaults[name];
  }
  return effective;
}

/** A row of farm_alert_thresholds, each threshold's column read under the threshold's name. */
type OverridesRow = AlertThresholdOverrides & {
  readonly farm_id: string;
  readonly updated_by: string | null;
  readonly updated_at: Date;
};

const SELECT = `SELECT farm_id::text, ${NAMES.map((name) => `${COLUMNS[name]} AS "${name}"`).join(', ')},
       updated_by::text, updated_at
  FROM farm_alert_thresholds`;

function overridesFrom(row: OverridesRow): AlertThresholdOverrides {
  const overrides = { ...NO_OVERRIDES };
  for (const name of NAMES) {
    overrides[name] = row[name];
  }
  return overrides;
}

/** Every farm's overrides, by farm id: what one evaluation of the rules reads. */
export async function alertThresholdOverrides(db: Queryable): Promise<Map<string, AlertThresholdOverrides>> {
  const { rows } = await db.query<OverridesRow>(SELECT);
  return new Map(rows.map((row) => [row.farm_id, overridesFrom(row)]));
}

/** One farm's thresholds as its operators see them. */
export async function farmAlertThresholds(
  db: Queryable,
  farmId: string,
  defaults: AlertThresholdValues,
): Promise<FarmAlertThresholds> {
  const { rows } = await db.query<OverridesRow>(`${SELECT} WHERE farm_id = $1`, [farmId]);
  const [row] = rows;
  const overrides = row === undefined ? NO_OVERRIDES : overridesFrom(row);
  return {
    farmId,
    defaults,
    overrides,
    effective: effectiveThresholds(defaults, overrides),
    updatedAt: row?.updated_at.toISOString() ?? null,
    updatedBy: row?.updated_by ?? null,
  };
}

/**
 * Sets the thresholds the patch names (null: back to the default), keeping the others.
 * The patch is the API's, validated against the same bounds as the configuration; a range
 * it would leave upside down, with the farm's other thresholds or the pool's defaults, is
 * refused naming the end the patch set.
 */
export async function updateFarmAlertThresholds(
  db: Queryable,
  farmId: string,
  patch: AlertThresholdsPatch,
  userId: string,
  defaults: AlertThresholdValues,
): Promise<FarmAlertThresholds> {
  const named = NAMES.filter((name) => patch[name] !== undefined);
  const current = await farmAlertThresholds(db, farmId, defaults);
  const next = { ...current.overrides };
  for (const name of named) {
    next[name] = patch[name] ?? null;
  }
  // A range the patch leaves alone is not its business, were the defaults to have moved.
  const inverted = invertedRanges(effectiveThresholds(defaults, next)).find(
    (range) => patch[range.low] !== undefined || patch[range.high] !== undefined,
  );
  if (inverted !== undefined) {
    const field = patch[inverted.low] === undefined ? inverted.high : inverted.low;
    throw new HwError('HW_ERR_VALIDATION', inverted.message, `body.${field}`);
  }
  const columns = named.map((name) => COLUMNS[name]);
  await db.query(
    `INSERT INTO farm_alert_thresholds (farm_id, updated_by, ${columns.join(', ')})
     VALUES ($1, $2${named.map((_, index) => `, $${String(index + 3)}`).join('')})
     ON CONFLICT (farm_id) DO UPDATE SET updated_by = excluded.updated_by, updated_at = now()
       ${columns.map((column) => `, ${column} = excluded.${column}`).join('')}`,
    [farmId, userId, ...named.map((name) => patch[name])],
  );
  return farmAlertThresholds(db, farmId, defaults);
}
