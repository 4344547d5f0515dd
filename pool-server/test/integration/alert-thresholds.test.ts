/**
 * Starts: the HTTP API on a real PostgreSQL database. Two organisations' farms set their
 * alert thresholds through the API; then one evaluation of the rules (evaluateAlerts, as
 * the writer runs it) reads what their agents reported against each farm's own thresholds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FarmAlertThresholds, MinerSample } from '@hashwatt/schemas';
import { evaluateAlerts } from '../../src/alerts/evaluate.ts';
import { ingestTelemetry } from '../../src/farms/telemetry-ingest.ts';
import {
  farmOfOperator,
  signedInRegulator,
  startTestApi,
  type FarmOfOperator,
  type TestApi,
} from '../helpers/api.ts';
import { bareSample } from '../helpers/samples.ts';

describe('alert thresholds per farm', () => {
  let api: TestApi;
  let hallA: FarmOfOperator;
  let hallB: FarmOfOperator;

  beforeAll(async () => {
    api = await startTestApi();
    hallA = await farmOfOperator(api, 'op@thresholds-a.test', { organisation: 'A Co', farm: 'Hall A' });
    hallB = await farmOfOperator(api, 'op@thresholds-b.test', { organisation: 'B Co', farm: 'Hall B' });
  });
  afterAll(async () => {
    await api.close();
  });

  const thresholdsOf = (farm: FarmOfOperator, headers = farm.operator) =>
    api.app.inject({ method: 'GET', url: `/api/farms/${farm.farmId}/alert-thresholds`, headers });
  const setThresholds = (farm: FarmOfOperator, payload: object, headers = farm.operator) =>
    api.app.inject({
      method: 'PATCH',
      url: `/api/farms/${farm.farmId}/alert-thresholds`,
      headers,
      payload,
    });

  it("shows the pool's defaults until the farm sets its own", async () => {
    const response = await thresholdsOf(hallA);
    expect(response.statusCode).toBe(200);
    const defaults = {
      silentMinutes: 10,
      minChipTempC: 10,
      maxChipTempC: 90,
      minFanRpm: 1_000,
      maxFanRpm: 0,
      maxFanPercent: 100,
      gapPercent: 10,
      windowLeadMinutes: 30,
    };
    expect(response.json<FarmAlertThresholds>()).toEqual({
      farmId: hallA.farmId,
      defaults,
      overrides: {
        silentMinutes: null,
        minChipTempC: null,
        maxChipTempC: null,
        minFanRpm: null,
        maxFanRpm: null,
        maxFanPercent: null,
        gapPercent: null,
        windowLeadMinutes: null,
      },
      effective: defaults,
      updatedAt: null,
      updatedBy: null,
    });
  });

  it('sets some, keeps the others, and returns one to the default with null; each change audited', async () => {
    const set = await setThresholds(hallA, { maxChipTempC: 100, minFanRpm: 0, silentMinutes: 30 });
    expect(set.statusCode).toBe(200);
    expect(set.json<FarmAlertThresholds>()).toMatchObject({
      overrides: { maxChipTempC: 100, minFanRpm: 0, silentMinutes: 30, gapPercent: null },
      effective: {
        maxChipTempC: 100,
        minFanRpm: 0,
        silentMinutes: 30,
        gapPercent: 10,
        windowLeadMinutes: 30,
      },
      updatedBy: hallA.operatorId,
    });
    const back = await setThresholds(hallA, { silentMinutes: null, windowLeadMinutes: 90 });
    expect(back.json<FarmAlertThresholds>()).toMatchObject({
      overrides: { maxChipTempC: 100, minFanRpm: 0, silentMinutes: null, windowLeadMinutes: 90 },
      effective: { silentMinutes: 10, windowLeadMinutes: 90 },
    });
    const { rows } = await api.database.db.query<{ before: unknown; after: unknown; farm_id: string }>(
      `SELECT before, after, farm_id::text FROM audit_log WHERE action = 'alert-thresholds.update' ORDER BY id`,
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({
      farm_id: hallA.farmId,
      before: { silentMinutes: 30, windowLeadMinutes: null },
      after: { silentMinutes: null, windowLeadMinutes: 90 },
    });
    // Hall B, of another organisation, keeps every default.
    expect((await thresholdsOf(hallB)).json<FarmAlertThresholds>().updatedAt).toBeNull();
  });

  it('refuses a value out of bounds or unknown, naming the field, and changes nothing', async () => {
    const before = (await thresholdsOf(hallA)).json<FarmAlertThresholds>();
    const bad: [object, string][] = [
      [{ maxChipTempC: 20 }, 'body.maxChipTempC'],
      [{ silentMinutes: 2.5 }, 'body.silentMinutes'],
      [{ gapPercent: 0 }, 'body.gapPercent'],
      [{ windowLeadMinutes: 2_000 }, 'body.windowLeadMinutes'],
      [{ minFanRpm: 'slow' }, 'body.minFanRpm'],
      [{ ledgerLagMinutes: 5 }, 'body'],
      [{}, 'body'],
    ];
    for (const [payload, field] of bad) {
      const response = await setThresholds(hallA, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json<{ error: string; field: string }>(), JSON.stringify(payload)).toMatchObject({
        error: 'HW_ERR_VALIDATION',
        field: expect.stringContaining(field) as string,
      });
    }
    expect((await thresholdsOf(hallA)).json<FarmAlertThresholds>()).toEqual(before);
  });

  it('refuses a range upside down, with its own other end or the default, naming the end it set', async () => {
    const before = (await thresholdsOf(hallB)).json<FarmAlertThresholds>();
    const upsideDown: [object, string, string][] = [
      // Against the pool's 90 °C.
      [
        { minChipTempC: 95 },
        'body.minChipTempC',
        'The lowest chip temperature (95 °C) is above the highest (90 °C).',
      ],
      [
        { minChipTempC: 50, maxChipTempC: 40 },
        'body.minChipTempC',
        'The lowest chip temperature (50 °C) is above the highest (40 °C).',
      ],
      // Against the pool's 1000 rpm.
      [
        { maxFanRpm: 800 },
        'body.maxFanRpm',
        'The slowest fan speed (1000 rpm) is above the fastest (800 rpm).',
      ],
    ];
    for (const [payload, field, message] of upsideDown) {
      const response = await setThresholds(hallB, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json(), JSON.stringify(payload)).toMatchObject({
        error: 'HW_ERR_VALIDATION',
        field,
        message,
      });
    }
    expect((await thresholdsOf(hallB)).json<FarmAlertThresholds>()).toEqual(before);
    // Within range, and the fans' upper end off again with 0.
    const range = await setThresholds(hallB, { minChipTempC: 20, maxFanRpm: 6_000, maxFanPercent: 95 });
    expect(range.statusCode, range.body).toBe(200);
    expect(range.json<FarmAlertThresholds>().effective).toMatchObject({
      minChipTempC: 20,
      maxChipTempC: 90,
      minFanRpm: 1_000,
      maxFanRpm: 6_000,
      maxFanPercent: 95,
    });
    const { rows } = await api.database.db.query<{ after: unknown }>(
      `SELECT after FROM audit_log WHERE action = 'alert-thresholds.update' AND farm_id = $1 ORDER BY id`,
      [hallB.farmId],
    );
    expect(rows.map((row) => row.after)).toEqual([
      expect.objectContaining({ minChipTempC: 20, maxFanRpm: 6_000, maxFanPercent: 95 }),
    ]);
    expect(
      (await setThresholds(hallB, { minChipTempC: null, maxFanRpm: null, maxFanPercent: null })).statusCode,
    ).toBe(200);
  });

  it("keeps another organisation's operator and regulators out", async () => {
    expect((await thresholdsOf(hallA, hallB.operator)).statusCode).toBe(404);
    expect((await setThresholds(hallA, { maxChipTempC: 40 }, hallB.operator)).statusCode).toBe(404);
    const regulator = await signedInRegulator(api, 'grid@thresholds.test', { country: 'IR', regions: [] });
    expect((await setThresholds(hallA, { maxChipTempC: 40 }, regulator)).statusCode).toBe(403);
    expect((await thresholdsOf(hallA)).json<FarmAlertThresholds>().overrides.maxChipTempC).toBe(100);
  });

  it("judges each farm's devices by its own thresholds: one farm's override leaves the other's alone", async () => {
    const now = Date.now();
    const hot = (device: string): MinerSample => ({
      ...bareSample(device, new Date(now - 60_000).toISOString()),
      boards: [{ slot: 0, chipTempC: 95 }],
      fans: [{ id: 0, rpm: 600 }],
    });
    for (const [farm, batch] of [
      [hallA, '00000000-0000-4000-8000-0000000a1a01'],
      [hallB, '00000000-0000-4000-8000-0000000a1b01'],
    ] as const) {
      await ingestTelemetry(api.database.db, farm.farmId, {
        batchId: batch,
        agentVersion: 'test',
        miners: [
          hot('10.0.4.17:4028'),
          // An immersion machine in a winter loop: no fans at all, its chips at 4 °C.
          {
            ...bareSample('10.0.4.18:4028', new Date(now - 60_000).toISOString()),
            boards: [{ slot: 0, chipTempC: 4 }],
          },
          // Firmware that gives fan percent: one at full speed.
          {
            ...bareSample('10.0.4.19:4028', new Date(now - 60_000).toISOString()),
            boards: [{ slot: 0, chipTempC: 70 }],
            fans: [
              { id: 0, rpm: 6_100, percent: 100 },
              { id: 1, rpm: 5_000, percent: 80 },
            ],
          },
        ],
        meters: [],
        dropped: 0,
      });
    }
    await evaluateAlerts(
      api.database.db,
      {
        thresholds: {
          silentMinutes: 10,
          minChipTempC: 10,
          maxChipTempC: 90,
          minFanRpm: 1_000,
          maxFanRpm: 0,
          maxFanPercent: 100,
          gapPercent: 10,
          windowLeadMinutes: 30,
          ledgerLagMinutes: 10,
        },
        journals: () => Promise.resolve([]),
      },
      now,
    );
    const { rows } = await api.database.db.query<{
      farm_id: string;
      rule: string;
      facts: { maxChipTempC?: number; device: string };
    }>(
      `SELECT farm_id::text, rule, facts FROM alerts WHERE resolved_at IS NULL ORDER BY farm_id, rule, subject`,
    );
    // Hall A allows 100 °C and turned the slow-fan rule off; Hall B keeps the pool's 90 °C
    // and 1000 rpm. Both keep the 10 °C floor and the 100 % fan limit: the cold machine and
    // the one at full speed are alerted in each, and the fanless one raises no fan alert.
    expect(rows.map((row) => [row.farm_id, row.rule, row.facts.device])).toEqual([
      [hallA.farmId, 'fan-high', '10.0.4.19:4028'],
      [hallA.farmId, 'temperature-low', '10.0.4.18:4028'],
      [hallB.farmId, 'fan-high', '10.0.4.19:4028'],
      [hallB.farmId, 'fan-low', '10.0.4.17:4028'],
      [hallB.farmId, 'temperature-high', '10.0.4.17:4028'],
      [hallB.farmId, 'temperature-low', '10.0.4.18:4028'],
    ]);
    expect(rows.find((row) => row.rule === 'temperature-high')?.facts.maxChipTempC).toBe(90);
  });
});
