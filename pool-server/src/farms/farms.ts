import type { Farm, FarmPatch, Jurisdiction } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';

interface FarmRow {
  readonly id: string;
  readonly organisation_id: string;
  readonly name: string;
  readonly created_at: Date;
  readonly country: string | null;
  readonly region: string | null;
  readonly timezone: string;
  readonly licence_number: string | null;
  readonly licence_authority: string | null;
  readonly licensed_capacity_kw: number | null;
  readonly licence_valid_from: string | null;
  readonly licence_valid_to: string | null;
  readonly register_entry: string | null;
  readonly tax_id: string | null;
}

const NAME_TAKEN = 'This organisation has a farm of that name already.';

const FARM_COLUMNS = `id::text, organisation_id::text, name, created_at, country, region, timezone,
  licence_number, licence_authority, licensed_capacity_kw, licence_valid_from::text, licence_valid_to::text,
  register_entry, tax_id`;

function farmFrom(row: FarmRow): Farm {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
    country: row.country,
    region: row.region,
    timezone: row.timezone,
    licence: {
      number: row.licence_number,
      authority: row.licence_authority,
      capacityKw: row.licensed_capacity_kw,
      validFrom: row.licence_valid_from,
      validTo: row.licence_valid_to,
      registerEntry: row.register_entry,
      taxId: row.tax_id,
    },
  };
}

export async function createFarm(db: Queryable, organisationId: string, name: string): Promise<Farm> {
  try {
    const { rows } = await db.query<FarmRow>(
      `INSERT INTO farms (organisation_id, name) VALUES ($1, $2) RETURNING ${FARM_COLUMNS}`,
      [organisationId, name],
    );
    return farmFrom(rows[0] as FarmRow);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HwError('HW_ERR_NAME_TAKEN', NAME_TAKEN, 'body.name');
    }
    throw error;
  }
}

export async function listFarms(db: Queryable, organisationId: string): Promise<Farm[]> {
  const { rows } = await db.query<FarmRow>(
    `SELECT ${FARM_COLUMNS} FROM farms WHERE organisation_id = $1 ORDER BY id`,
    [organisationId],
  );
  return rows.map(farmFrom);
}

export async function getFarm(db: Queryable, id: string): Promise<Farm> {
  const { rows } = await db.query<FarmRow>(`SELECT ${FARM_COLUMNS} FROM farms WHERE id = $1`, [id]);
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_FARM_NOT_FOUND');
  }
  return farmFrom(row);
}

/** Whether a time zone is one the runtime knows (IANA names such as Asia/Tehran). */
function knownTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const LICENCE_COLUMNS = {
  number: 'licence_number',
  authority: 'licence_authority',
  capacityKw: 'licensed_capacity_kw',
  validFrom: 'licence_valid_from',
  validTo: 'licence_valid_to',
  registerEntry: 'register_entry',
  taxId: 'tax_id',
} as const;

const INN_WEIGHTS = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/**
 * Whether a Russian INN's check digits hold (FNS order ММВ-7-6/435@): 10 digits for a
 * company with one check digit, 12 for a person with two. A mistyped INN would make
 * a filing that the tax service rejects.
 */
export function innValid(inn: string): boolean {
  const digits = Array.from(inn, Number);
  const check = (count: number): number =>
    (digits.slice(0, count).reduce((sum, digit, i) => sum + digit * (INN_WEIGHTS[i + 11 - count] ?? 0), 0) %
      11) %
    10;
  if (digits.length === 10) {
    return check(9) === digits[9];
  }
  return digits.length === 12 && check(10) === digits[10] && check(11) === digits[11];
}

async function checkTaxId(db: Queryable, id: string, patch: FarmPatch): Promise<void> {
  if (patch.licence?.taxId === undefined && patch.country === undefined) {
    return;
  }
  const current = await getFarm(db, id);
  const country = patch.country === undefined ? current.country : patch.country;
  const taxId = patch.licence?.taxId === undefined ? current.licence.taxId : patch.licence.taxId;
  if (country === 'RU' && taxId !== null && !innValid(taxId)) {
    throw new HwError(
      'HW_ERR_VALIDATION',
      `"${taxId}" is not a valid INN: its check digits do not match (10 digits for a company, 12 for a person).`,
      'body.licence.taxId',
    );
  }
}

/** Sets what the patch names; the database's checks guard the combinations (region in its country, dates in order). */
export async function updateFarm(db: Queryable, id: string, patch: FarmPatch): Promise<Farm> {
  if (patch.timezone !== undefined && !knownTimezone(patch.timezone)) {
    throw new HwError(
      'HW_ERR_VALIDATION',
      `"${patch.timezone}" is not a time zone name such as Asia/Tehran.`,
      'body.timezone',
    );
  }
  await checkTaxId(db, id, patch);
  const sets: string[] = [];
  const values: unknown[] = [id];
  const set = (column: string, value: unknown): void => {
    values.push(value);
    sets.push(`${column} = $${String(values.length)}`);
  };
  for (const key of ['name', 'country', 'region', 'timezone'] as const) {
    if (patch[key] !== undefined) {
      set(key, patch[key]);
    }
  }
  for (const [key, column] of Object.entries(LICENCE_COLUMNS) as [keyof typeof LICENCE_COLUMNS, string][]) {
    if (patch.licence?.[key] !== undefined) {
      set(column, patch.licence[key]);
    }
  }
  if (sets.length === 0) {
    return getFarm(db, id);
  }
  try {
    const { rows } = await db.query<FarmRow>(
      `UPDATE farms SET ${sets.join(', ')} WHERE id = $1 RETURNING ${FARM_COLUMNS}`,
      values,
    );
    const [row] = rows;
    if (!row) {
      throw new HwError('HW_ERR_FARM_NOT_FOUND', undefined, 'params.id');
    }
    return farmFrom(row);
  } catch (error) {
    const constraint = (error as { constraint?: string }).constraint;
    if (constraint === 'farms_region_in_country') {
      throw new HwError(
        'HW_ERR_VALIDATION',
        "The region must be one of the farm's country (IR-…, RU-…).",
        'body.region',
      );
    }
    if (constraint === 'farms_licence_dates') {
      throw new HwError('HW_ERR_VALIDATION', 'The licence must end after it starts.', 'body.licence.validTo');
    }
    if ((error as { code?: string }).code === '23505') {
      throw new HwError('HW_ERR_NAME_TAKEN', NAME_TAKEN, 'body.name');
    }
    throw error;
  }
}

/** The farms licensed in a jurisdiction: its country, and its regions when it names any. */
export async function farmsInJurisdiction(
  db: Queryable,
  jurisdiction: Jurisdiction | undefined,
): Promise<Farm[]> {
  const { rows } = await db.query<FarmRow>(
    `SELECT ${FARM_COLUMNS} FROM farms
      WHERE $1::text IS NULL OR (country = $1 AND (cardinality($2::text[]) = 0 OR region = ANY ($2::text[])))
      ORDER BY id`,
    [jurisdiction?.country ?? null, jurisdiction?.regions ?? []],
  );
  return rows.map(farmFrom);
}
