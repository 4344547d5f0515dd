import type { Farm, Jurisdiction } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { getFarm } from '../farms/farms.ts';
import type { Caller } from './access.ts';

/**
 * An operator reaches its own organisation only, an admin every one. Another
 * organisation's things answer 404, as if they did not exist: ids reveal nothing.
 */
export function checkOrganisation(caller: Caller, organisationId: string): void {
  const user = caller.kind === 'user' ? caller.session.user : undefined;
  if (user?.role !== 'admin' && user?.organisationId !== organisationId) {
    throw new HwError('HW_ERR_ORGANISATION_NOT_FOUND', undefined, 'params.id');
  }
}

/** The farm, when the caller's organisation owns it (or the caller is an admin). */
export async function ownFarm(db: Queryable, caller: Caller, farmId: string): Promise<Farm> {
  const farm = await getFarm(db, farmId).catch((error: unknown) => {
    throw error instanceof HwError ? new HwError('HW_ERR_FARM_NOT_FOUND', undefined, 'params.id') : error;
  });
  try {
    checkOrganisation(caller, farm.organisationId);
  } catch {
    throw new HwError('HW_ERR_FARM_NOT_FOUND', undefined, 'params.id');
  }
  return farm;
}

/** The signed-in user's id, for the routes only users reach. */
export function userId(caller: Caller): string {
  if (caller.kind !== 'user') {
    throw new HwError('HW_ERR_UNAUTHENTICATED');
  }
  return caller.session.user.id;
}

/** The jurisdiction whose farms the caller sees: a regulator's own; undefined (every farm) for an admin. */
export function jurisdictionOf(caller: Caller): Jurisdiction | undefined {
  const user = caller.kind === 'user' ? caller.session.user : undefined;
  if (user?.role === 'admin') {
    return undefined;
  }
  if (user?.role !== 'regulator' || !user.jurisdiction) {
    throw new HwError('HW_ERR_ROLE_FORBIDDEN');
  }
  return user.jurisdiction;
}

/** The farm, when it is licensed in the regulator's jurisdiction (any, for an admin); otherwise 404, as if absent. */
export async function regulatedFarm(db: Queryable, caller: Caller, farmId: string): Promise<Farm> {
  const jurisdiction = jurisdictionOf(caller);
  const farm = await getFarm(db, farmId).catch((error: unknown) => {
    throw error instanceof HwError ? new HwError('HW_ERR_FARM_NOT_FOUND', undefined, 'params.id') : error;
  });
  const inside =
    jurisdiction === undefined ||
    (farm.country === jurisdiction.country &&
      (jurisdiction.regions.length === 0 ||
        (farm.region !== null && jurisdiction.regions.includes(farm.region))));
  if (!inside) {
    throw new HwError('HW_ERR_FARM_NOT_FOUND', undefined, 'params.id');
  }
  return farm;
}
