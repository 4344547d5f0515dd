import type { Farm } from '@hashwatt/schemas';
import type { Database } from '../db/pool.ts';
import { HwError } from '../errors.ts';

interface FarmRow {
  readonly id: string;
  readonly organisation_id: string;
  readonly name: string;
  readonly created_at: Date;
}

const FARM_COLUMNS = 'id::text, organisation_id::text, name, created_at';

function farmFrom(row: FarmRow): Farm {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    createdAt: row.created_at.toISOString(),
  };
}

export async function createFarm(db: Database, organisationId: string, name: string): Promise<Farm> {
  try {
    const { rows } = await db.query<FarmRow>(
      `INSERT INTO farms (organisation_id, name) VALUES ($1, $2) RETURNING ${FARM_COLUMNS}`,
      [organisationId, name],
    );
    return farmFrom(rows[0] as FarmRow);
  } catch (error) {
    if ((error as { code?: string }).code === '23505') {
      throw new HwError(
        'HW_ERR_NAME_TAKEN',
        'This organisation has a farm of that name already.',
        'body.name',
      );
    }
    throw error;
  }
}

export async function listFarms(db: Database, organisationId: string): Promise<Farm[]> {
  const { rows } = await db.query<FarmRow>(
    `SELECT ${FARM_COLUMNS} FROM farms WHERE organisation_id = $1 ORDER BY id`,
    [organisationId],
  );
  return rows.map(farmFrom);
}

export async function getFarm(db: Database, id: string): Promise<Farm> {
  const { rows } = await db.query<FarmRow>(`SELECT ${FARM_COLUMNS} FROM farms WHERE id = $1`, [id]);
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_FARM_NOT_FOUND');
  }
  return farmFrom(row);
}
