/**
 * Starts: the pool as main.ts starts it (its Stratum server, the HTTP API on a real
 * port, the devchain) on a PostgreSQL database of its own, and on it the demo farm of
 * `pnpm start`: three CPU miners hashing on the pool's Stratum port, each behind an
 * emulated Antminer (cgminer API and Digest-protected web CGI), an emulated SDM630
 * meter that follows the rigs' draw, and the real farm agent polling them, carrying out
 * the pool's commands and reporting to the API.
 *
 * A grid operator's order issued through the API puts the rigs to sleep at its start:
 * the agent reads them as sleeping, the pool measures no more shares from their workers,
 * the meter's power and energy rate fall, and once ended the order is judged complied.
 * A second order whose commands the rigs' web interfaces fail (HTTP 500, a refused
 * connection) ends violated, naming each failed command.
 *
 * Windows are short and real: the order's notice is when it is issued, so its baseline
 * is the meter's readings of the minutes the demo ran before (an average over what the
 * hour holds); the orders last a few minutes, shorter than the 15-minute grace, so the
 * verdict rests on the meter and the commands (devices and the pool's hashrate are
 * judged only after the grace), and the fall in devices' states and the pool's
 * hashrate is checked here directly.
 */
import type { CurtailmentOrder, DeviceCommand, FarmDevice } from '@hashwatt/schemas';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNT, startDemoFarm, type DemoFarm } from '../../src/dev/demo/demo-farm.ts';
import { eventually } from '../helpers/eventually.ts';
import { startTestPool, type TestPool } from '../helpers/pool.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
/** Each rig's draw hashing, and asleep, in W: the demo farm's figures. */
const HASHING_W = 30;
const STANDBY_W = 3;
/** H/s per unit of share difficulty. */
const HASHES_PER_DIFFICULTY = 2 ** 32;

/** `probe`, asked at most every 250 ms, so the minutes of waiting do not load the API and the database. */
function paced<T>(probe: () => Promise<T | undefined>): () => Promise<T | undefined> {
  let last = 0;
  return async () => {
    if (Date.now() - last < 250) {
      return undefined;
    }
    last = Date.now();
    return probe();
  };
}

describe('the demo farm under curtailment orders', () => {
  let pool: TestPool;
  let demo: DemoFarm;
  let apiUrl: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    pool = await startTestPool();
    apiUrl = `http://127.0.0.1:${String(pool.apiPort)}`;
    // As `pnpm start` does: the demo's miners mine as a registered account, not an address.
    await pool.registerAccount(DEMO_ACCOUNT);
    demo = await startDemoFarm(
      pool.db,
      {
        apiUrl,
        stratumPort: pool.stratumPort,
        stratumUrl: `stratum+tcp://127.0.0.1:${String(pool.stratumPort)}`,
      },
      {
        rigs: 3,
        // A share every second or two from each rig, leaving the CPU to the pool.
        hashesPerSecond: 60_000,
        shareDifficulty: 0.00002,
        dataDir: pool.dataDir,
        pollSeconds: 5,
        commandSeconds: 1,
        rebootSeconds: 5,
      },
      pino({ level: 'silent' }),
    );
    const login = await fetch(`${apiUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(demo.operator),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    headers = { cookie, 'x-csrf-token': csrfToken };
  });

  afterAll(async () => {
    await demo.stop();
    await pool.stop();
  });

  async function api<T>(path: string, body?: object): Promise<T> {
    const response = await fetch(`${apiUrl}/api${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!response.ok) {
      throw new Error(`${path}: HTTP ${String(response.status)} ${await response.text()}`);
    }
    return (await response.json()) as T;
  }

  const devices = () => api<FarmDevice[]>(`/farms/${demo.farmId}/devices`);

  /** Every rig as the agent last reported it, once all three are in `state`. */
  const allIn = (state: FarmDevice['state']) =>
    eventually(
      paced(async () => {
        const list = await devices();
        const there = list.length === 3 && list.every((device) => device.state === state);
        return there && (state !== 'mining' || list.every((device) => (device.hashrate ?? 0) > 0))
          ? list
          : undefined;
      }),
      `the agent to report the three rigs ${state}`,
      90 * SECOND,
    );

  /** H/s the pool measured from the demo workers' accepted shares over [fromMs, toMs). */
  async function poolHashrate(fromMs: number, toMs: number): Promise<number> {
    const { rows } = await pool.db.query<{ difficulty: number }>(
      `SELECT coalesce(sum(s.difficulty), 0) AS difficulty
         FROM shares s JOIN workers w ON w.id = s.worker_id
        WHERE w.name = ANY ($1) AND s.time >= to_timestamp($2::double precision / 1000)
          AND s.time < to_timestamp($3::double precision / 1000)`,
      [demo.rigs.map((rig) => rig.user), fromMs, toMs],
    );
    return ((rows[0]?.difficulty ?? 0) * HASHES_PER_DIFFICULTY * SECOND) / (toMs - fromMs);
  }

  /** The meter's readings the pool stored from `fromMs` on, oldest first. */
  async function meterReadings(
    fromMs: number,
  ): Promise<{ atMs: number; powerW: number; energyWh: number }[]> {
    const { rows } = await pool.db.query<{ time: Date; power_w: number; energy_wh: number }>(
      `SELECT time, power_w, energy_wh FROM meter_samples
        WHERE farm_id = $1 AND time >= to_timestamp($2::double precision / 1000) ORDER BY time`,
      [demo.farmId, fromMs],
    );
    return rows.map((row) => ({ atMs: row.time.getTime(), powerW: row.power_w, energyWh: row.energy_wh }));
  }

  /** W, from the energy register between the first and the last of `readings`. */
  function energyRateW(readings: readonly { atMs: number; energyWh: number }[]): number {
    const first = readings[0];
    const last = readings.at(-1);
    if (!first || !last || last.atMs <= first.atMs) {
      throw new Error('two readings at least are needed for an energy rate');
    }
    return ((last.energyWh - first.energyWh) * 3_600_000) / (last.atMs - first.atMs);
  }

  /** Waits for the order to end and for the agent's readings past its end to be stored, then reads its verdict. */
  async function judged(order: CurtailmentOrder): Promise<NonNullable<CurtailmentOrder['compliance']>> {
    const endsAtMs = Date.parse(order.endsAt);
    await eventually(
      paced(async () => ((await meterReadings(endsAtMs + 1)).length > 0 ? true : undefined)),
      'a meter reading after the end of the order',
      endsAtMs - Date.now() + 60 * SECOND,
    );
    const orders = await api<CurtailmentOrder[]>(`/farms/${demo.farmId}/curtailment-orders`);
    const compliance = orders.find((candidate) => candidate.id === order.id)?.compliance;
    if (!compliance) {
      throw new Error(`order ${order.id} was not judged`);
    }
    return compliance;
  }

  /** An order from now (the notice) for `minutes`, putting the farm to sleep at its start. */
  const issueOrder = (minutes: number) => {
    const startsAtMs = Date.now() + 2 * SECOND;
    return api<CurtailmentOrder>(`/farms/${demo.farmId}/curtailment-orders`, {
      startsAt: new Date(startsAtMs).toISOString(),
      endsAt: new Date(startsAtMs + minutes * MINUTE).toISOString(),
      // 50 W off a 90 W farm: asleep at 9 W it is within the allowed 40 W.
      reductionKw: 0.05,
      staggerMinutes: 0,
      noticeRef: 'demo order',
    });
  };

  it(
    'puts the rigs to sleep: devices sleeping, the pool sees no shares, the meter falls; complied',
    async () => {
      await allIn('mining');
      // The baseline: the farm's meter series keeps each minute's last reading, so two whole
      // minutes read before the notice's minute.
      const startedMs = Date.now();
      await eventually(
        paced(async () => {
          const thisMinute = Math.floor(Date.now() / MINUTE);
          const minutes = new Set(
            (await meterReadings(0))
              .map((reading) => Math.floor(reading.atMs / MINUTE))
              .filter((minute) => minute < thisMinute),
          );
          return minutes.size >= 2 ? true : undefined;
        }),
        'meter readings in two whole minutes for the baseline',
        4 * MINUTE,
      );
      const before = await meterReadings(0);
      expect(before.at(-1)?.powerW).toBe(3 * HASHING_W);
      // Stock Antminers report no power: the demo rates its rigs as an operator would, so
      // each is estimated from its nameplate, labelled so, and the three agree with the meter.
      const rated = await eventually(
        paced(async () => {
          const list = await devices();
          return list.every((device) => device.power.basis === 'estimated') ? list : undefined;
        }),
        "the rigs' nameplate power",
        30 * SECOND,
      );
      expect(rated.map((device) => [device.power.watts, device.power.source])).toEqual([
        [HASHING_W, 'nameplate'],
        [HASHING_W, 'nameplate'],
        [HASHING_W, 'nameplate'],
      ]);
      expect(energyRateW(before)).toBeCloseTo(3 * HASHING_W, 0);
      expect(await poolHashrate(startedMs - MINUTE, Date.now())).toBeGreaterThan(0);

      const order = await issueOrder(2.5);
      expect(order.curtailment).not.toBeNull();
      const asleep = await allIn('sleeping');
      const asleepMs = Date.now();
      expect(asleep.map((device) => device.hashrate)).toEqual([0, 0, 0]);
      expect(demo.rigs.map((rig) => rig.rig.mode)).toEqual(['sleep', 'sleep', 'sleep']);
      const commands = await api<DeviceCommand[]>(`/farms/${demo.farmId}/commands`);
      expect(
        commands
          .filter((command) => command.curtailment === order.curtailment)
          .map((command) => command.status),
      ).toEqual(['done', 'done', 'done']);

      const compliance = await judged(order);
      // The meter's power and energy rate fell to the rigs' standby.
      const during = (await meterReadings(asleepMs)).filter(
        (reading) => reading.atMs <= Date.parse(order.endsAt),
      );
      expect(during.map((reading) => reading.powerW)).toEqual(during.map(() => 3 * STANDBY_W));
      expect(energyRateW(during)).toBeCloseTo(3 * STANDBY_W, 0);
      // Not one share from the farm's workers while they slept.
      expect(await poolHashrate(asleepMs, Date.parse(order.endsAt))).toBe(0);

      expect(compliance).toMatchObject({
        verdict: 'complied',
        reasons: [],
        failedCommands: [],
        hashingDevices: [],
      });
      expect(compliance.baselineKw).toBeCloseTo(0.09, 3);
      expect(compliance.allowedKw).toBeCloseTo(0.04, 3);
      expect(compliance.reachedAt).not.toBeNull();
    },
    8 * MINUTE,
  );

  it(
    'violates an order whose sleep commands the rigs fail, naming each failed command',
    async () => {
      await api(`/farms/${demo.farmId}/curtailment`, { action: 'resume', staggerMinutes: 0 });
      await allIn('mining');
      const [first, second, third] = demo.rigs;
      first?.rig.setWebFault('http-500');
      second?.rig.setWebFault('http-500');
      third?.rig.setWebFault('refuse');

      const order = await issueOrder(2);
      const failed = await eventually(
        paced(async () => {
          const commands = (await api<DeviceCommand[]>(`/farms/${demo.farmId}/commands`)).filter(
            (command) => command.curtailment === order.curtailment,
          );
          return commands.length === 3 && commands.every((command) => command.status === 'failed')
            ? commands
            : undefined;
        }),
        "the agent to report the order's three commands failed",
        90 * SECOND,
      );
      expect(failed).toHaveLength(3);
      expect((await devices()).map((device) => device.state)).toEqual(['mining', 'mining', 'mining']);

      const compliance = await judged(order);
      const during = (await meterReadings(Date.parse(order.startsAt))).filter(
        (reading) => reading.atMs <= Date.parse(order.endsAt),
      );
      expect(during.map((reading) => reading.powerW)).toEqual(during.map(() => 3 * HASHING_W));
      expect(await poolHashrate(Date.parse(order.startsAt), Date.parse(order.endsAt))).toBeGreaterThan(0);

      const http500 = 'get_miner_conf.cgi: HTTP 500';
      expect(compliance.verdict).toBe('violated');
      expect(compliance.reachedAt).toBeNull();
      expect(compliance.failedCommands).toEqual([
        { device: first?.device, action: 'sleep', status: 'failed', error: http500 },
        { device: second?.device, action: 'sleep', status: 'failed', error: http500 },
        {
          device: third?.device,
          action: 'sleep',
          status: 'failed',
          error: expect.stringMatching(/^http:\/\/127\.0\.0\.13:\d+\/cgi-bin: fetch failed$/) as string,
        },
      ]);
      expect(compliance.reasons).toEqual(
        expect.arrayContaining([
          // The allowed load is said in W under a kilowatt (40 W), and 0 kW when nothing may run.
          expect.stringMatching(/^the load never fell to \d+ k?W$/),
          `sleep command to ${first?.device ?? ''} failed: ${http500}`,
          `sleep command to ${second?.device ?? ''} failed: ${http500}`,
        ]) as string[],
      );
    },
    8 * MINUTE,
  );
});
