import type { Organisation } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';

interface OrganisationRow {
  readonly id: string;
  readonly name: string;
  readonly require_two_factor: boolean;
  readonly created_at: Date;
}

const COLUMNS = 'id::text, name, require_two_factor, created_at';

function organisationFrom(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    name: row.name,
    requireTwoFactor: row.require_two_factor,
    createdAt: row.created_at.toISOString(),
  };
}

export async function createOrganisation(
  db: Queryable,
  name: string,
  requireTwoFactor = false,
): Promise<Organisation> {
  try {
    const { rows } = await db.query<OrganisationRow>(
      `INSERT INTO organisations (name, require_two_factor) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      [name, requireTwoFactor],
    );
    return organisationFrom(rows[0] as OrganisationRow);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HwError('HW_ERR_NAME_TAKEN', undefined, 'body.name');
    }
    throw error;
  }
}

export async function listOrganisations(db: Queryable): Promise<Organisation[]> {
  const { rows } = await db.query<OrganisationRow>(`SELECT ${COLUMNS} FROM organisations ORDER BY id`);
  return rows.map(organisationFrom);
}

export async function getOrganisation(db: Queryable, id: string): Promise<Organisation> {
  const { rows } = await db.query<OrganisationRow>(`SELECT ${COLUMNS} FROM organisations WHERE id = $1`, [
    id,
  ]);
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_ORGANISATION_NOT_FOUND');
  }
  return organisationFrom(row);
}

/**
 * Requires (or stops requiring) a second factor of every member. Members without one
 * are limited to setting one up from their next request on; no session needs to end.
 */
export async function setRequireTwoFactor(
  db: Queryable,
  id: string,
  requireTwoFactor: boolean,
): Promise<Organisation> {
  const { rows } = await db.query<OrganisationRow>(
    `UPDATE organisations SET require_two_factor = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, requireTwoFactor],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_ORGANISATION_NOT_FOUND');
  }
  return organisationFrom(row);
}
