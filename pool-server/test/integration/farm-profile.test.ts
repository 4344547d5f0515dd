/**
 * Starts: the HTTP API on a real PostgreSQL database. An operator sets where its farms
 * are and under what licence; regulators see the farms of their jurisdiction only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Farm } from '@hashwatt/schemas';
import { createFarm } from '../../src/farms/farms.ts';
import {
  farmOfOperator,
  signedInRegulator,
  startTestApi,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';

describe('farm profiles and regulators', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  const regulator = new Map<string, Record<string, string>>();

  beforeAll(async () => {
    api = await startTestApi();
    farm = await farmOfOperator(api, 'op@semnan.test');
    regulator.set(
      'semnan',
      await signedInRegulator(api, 'semnan@regulator.test', { country: 'IR', regions: ['IR-20'] }),
    );
    regulator.set(
      'iran',
      await signedInRegulator(api, 'iran@regulator.test', { country: 'IR', regions: [] }),
    );
    regulator.set(
      'russia',
      await signedInRegulator(api, 'russia@regulator.test', { country: 'RU', regions: [] }),
    );
  });
  afterAll(async () => {
    await api.close();
  });

  const patch = (payload: unknown) =>
    api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}`,
      headers: farm.operator,
      payload: payload as object,
    });

  it('sets country, region, time zone and licence, and answers the whole farm', async () => {
    const profile = {
      country: 'IR',
      region: 'IR-20',
      timezone: 'Asia/Tehran',
      licence: {
        number: 'MIMT-1402-0173',
        authority: 'MIMT',
        capacityKw: 5_000,
        validFrom: '2024-03-20',
        validTo: '2027-03-20',
      },
    };
    const response = await patch(profile);
    expect(response.statusCode).toBe(200);
    // What was set comes back, and what was not (Russia's register entry) is null.
    expect(response.json<Farm>()).toMatchObject({
      ...profile,
      licence: { ...profile.licence, registerEntry: null, taxId: null },
    });
    const read = await api.app.inject({
      method: 'GET',
      url: `/api/farms/${farm.farmId}`,
      headers: farm.operator,
    });
    expect(read.json<Farm>().licence.capacityKw).toBe(5_000);
  });

  it('names the field of every impossible profile', async () => {
    expect((await patch({ timezone: 'Tehran' })).json()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      field: 'body.timezone',
    });
    expect((await patch({ region: 'RU-IRK' })).json()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      field: 'body.region',
    });
    expect((await patch({ licence: { validTo: '2020-01-01' } })).json()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      field: 'body.licence.validTo',
    });
    expect((await patch({ licence: { capacityKw: -5 } })).statusCode).toBe(400);
    expect((await patch({ country: 'Iran' })).json()).toMatchObject({ field: 'body.country' });
  });

  it("takes a Russian farm's INN only when its check digits hold", async () => {
    // 7707083893 is Sberbank's INN; 500100732259 a person's, both published with their check digits.
    expect((await patch({ country: 'RU', region: null, licence: { taxId: '7707083893' } })).statusCode).toBe(
      200,
    );
    expect((await patch({ licence: { taxId: '500100732259' } })).json<Farm>().licence.taxId).toBe(
      '500100732259',
    );
    expect((await patch({ licence: { taxId: '7707083894' } })).json()).toMatchObject({
      error: 'HW_ERR_VALIDATION',
      field: 'body.licence.taxId',
    });
    expect((await patch({ licence: { taxId: '77070838' } })).statusCode).toBe(400);
    // Iran's 11-digit national id of a company carries no INN check.
    const iranian = await patch({ country: 'IR', region: 'IR-20', licence: { taxId: '10320000001' } });
    expect(iranian.json<Farm>().licence.taxId).toBe('10320000001');
    // Moving the farm to Russia re-checks the id it keeps.
    expect((await patch({ country: 'RU', region: null })).json()).toMatchObject({
      field: 'body.licence.taxId',
    });
  });

  it('shows each regulator the farms of its jurisdiction and no other', async () => {
    const { db } = api.database;
    const other = await createFarm(db, farm.organisationId, 'Hall B');
    await db.query("UPDATE farms SET country = 'IR', region = 'IR-08' WHERE id = $1", [other.id]);
    const russian = await createFarm(db, farm.organisationId, 'Irkutsk 1');
    await db.query(
      "UPDATE farms SET country = 'RU', region = 'RU-IRK', timezone = 'Asia/Irkutsk' WHERE id = $1",
      [russian.id],
    );
    const seen = async (name: string): Promise<string[]> => {
      const response = await api.app.inject({
        method: 'GET',
        url: '/api/regulator/farms',
        headers: regulator.get(name) ?? {},
      });
      return response.json<Farm[]>().map((found) => found.name);
    };
    expect(await seen('semnan')).toEqual(['Hall A']);
    expect(await seen('iran')).toEqual(['Hall A', 'Hall B']);
    expect(await seen('russia')).toEqual(['Irkutsk 1']);
    const operator = await api.app.inject({
      method: 'GET',
      url: '/api/regulator/farms',
      headers: farm.operator,
    });
    expect(operator.statusCode).toBe(403);
  });
});
