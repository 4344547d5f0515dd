import type { Organisation } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';

interface OrganisationRow {
  readonly id: string;
  readonly name: string;
  readonly created_at: Date;
}

function organisationFrom(row: OrganisationRow): Organisation {
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString() };
}

export async function createOrganisation(db: Queryable, name: string): Promise<Organisation> {
  try {
    const { rows } = await db.query<OrganisationRow>(
      'INSERT INTO organisations (name) VALUES ($1) RETURNING id::text, name, created_at',
      [name],
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
  const { rows } = await db.query<OrganisationRow>(
    'SELECT id::text, name, created_at FROM organisations ORDER BY id',
  );
  return rows.map(organisationFrom);
}

export async function getOrganisation(db: Queryable, id: string): Promise<Organisation> {
  const { rows } = await db.query<OrganisationRow>(
    'SELECT id::text, name, created_at FROM organisations WHERE id = $1',
    [id],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_ORGANISATION_NOT_FOUND');
  }
  return organisationFrom(row);
}
