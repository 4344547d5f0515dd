/* eslint-disable max-lines -- one start-up sequence (records, emulators, miners, agent) started in order and stopped in reverse; its parts live in cpu-miners.ts and the agent's emulators. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runAgent, type RunningAgent, loadAgentConfig } from '@hashwatt/agent';
import {
  startDemoAntminer,
  type DemoAntminer,
  DemoRig,
  meterFollows,
  startMeterEmulator,
  type MeterEmulator,
  REGISTER_MAPS,
} from '@hashwatt/agent/emulators';
import type { Logger } from 'pino';
import { createApiKey } from '../../accounts/api-keys.ts';
import { createOrganisation } from '../../accounts/organisations.ts';
import { createUser, updateUser } from '../../accounts/users.ts';
import type { Database } from '../../db/pool.ts';
import { createFarm, updateFarm } from '../../farms/farms.ts';
import { addPrice } from '../../farms/economics/prices.ts';
import { addFarmWindow, addTariff } from '../../farms/energy/tariffs.ts';
import { CpuMiners } from './cpu-miners.ts';

/**
 * `pnpm start`'s demo farm, so that a newcomer sees a living pool and farm at once:
 * CPU miners on the pool's Stratum port, each behind an emulated Antminer (its cgminer
 * API reports what the miner really does; its web interface takes sleep, wake, low
 * power and reboot, and the miner obeys); an emulated SDM630 meter reading what the
 * rigs draw; the farm agent polling them, carrying out commands and reporting to the
 * API; an operator and a regulator whose fresh passwords are printed. Never started
 * with a real configuration.
 */

export interface DemoSettings {
  readonly rigs: number;
  readonly hashesPerSecond: number;
  /** The fixed share difficulty of the demo miners. */
  readonly shareDifficulty: number;
  readonly dataDir: string;
  /** How often the agent polls (10 s unless told). */
  readonly pollSeconds?: number;
  /** How often the agent asks for due commands (5 s unless told). */
  readonly commandSeconds?: number;
  /** How long a rig is gone when it reboots (20 s unless told). */
  readonly rebootSeconds?: number;
}

export interface DemoLogin {
  readonly email: string;
  readonly password: string;
}

/** One emulated Antminer: its pool user, the agent's name for it, and its state. */
export interface DemoFarmRig {
  readonly user: string;
  /** host:port of its cgminer API, as the agent and the farm's device list name it. */
  readonly device: string;
  /** Its mode, reboots, and the fault switch that makes its web interface fail. */
  readonly rig: DemoRig;
}

export interface DemoFarm {
  readonly operator: DemoLogin;
  readonly regulator: DemoLogin;
  readonly farmId: string;
  readonly rigs: readonly DemoFarmRig[];
  stop(): Promise<void>;
}

const ORGANISATION = 'Demo Mining Co';
const FARM = 'Demo Farm (Semnan)';
const OPERATOR = 'operator@demo.hashwatt.local';
const REGULATOR = 'regulator@demo.hashwatt.local';
/** A CPU pretending to be a miner draws about this, including its share of the host. */
const WATTS_PER_RIG = 30;
/** What a rig asleep or booting still draws: control board, idle fans. */
const STANDBY_WATTS = 3;
/** The cgminer API's port on a real miner. */
const RPC_PORT = 4028;
/**
 * Each rig has an address of its own, as on a farm's network (127.0.0.11, .12, …), so
 * that all their web interfaces share one port as the agent expects. Linux routes all of
 * 127/8 to loopback; elsewhere the rigs share 127.0.0.1.
 */
const FIRST_RIG_ADDRESS = 11;

/** Listens on host:port for a moment: the port it got (any free one for 0), or undefined if it could not. */
async function tryListen(host: string, port: number): Promise<number | undefined> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, host, () => {
      resolve(true);
    });
  });
  if (!listening) {
    return undefined;
  }
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address !== null ? address.port : undefined;
}

const rigAddress = (index: number): string => `127.0.0.${String(FIRST_RIG_ADDRESS + index)}`;

/** A user of the demo with a password made now: created the first time, reset after. */
async function demoUser(
  db: Database,
  input: { email: string; role: 'operator' | 'regulator'; organisationId?: string },
): Promise<DemoLogin & { id: string }> {
  const password = randomBytes(12).toString('base64url');
  const { rows } = await db.query<{ id: string }>('SELECT id::text FROM users WHERE email = $1', [
    input.email,
  ]);
  const existing = rows[0]?.id;
  if (existing !== undefined) {
    await updateUser(db, existing, { password });
    return { id: existing, email: input.email, password };
  }
  const user = await createUser(db, {
    email: input.email,
    name: input.role === 'operator' ? 'Demo operator' : 'Demo regulator',
    password,
    role: input.role,
    ...(input.organisationId === undefined
      ? { jurisdiction: { country: 'IR', regions: [] } }
      : { organisationId: input.organisationId }),
  });
  return { id: user.id, email: input.email, password };
}

/**
 * Sets each rig's nameplate power once the agent has reported it, as an operator does
 * for machines whose firmware reports no power (stock Antminers): the farm's devices are
 * then estimated from it, labelled so, and agree with the meter.
 */
async function rateRigs(
  db: Database,
  farmId: string,
  devices: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    const { rows } = await db.query<{ rated: number }>(
      `WITH rated AS (
         UPDATE devices SET nominal_power_w = coalesce(nominal_power_w, $3)
          WHERE farm_id = $1 AND device = ANY ($2::text[]) RETURNING id
       )
       SELECT count(*)::int AS rated FROM rated`,
      [farmId, devices, WATTS_PER_RIG],
    );
    if ((rows[0]?.rated ?? 0) >= devices.length) {
      return;
    }
    await sleep(2_000, undefined, { signal }).catch(() => undefined);
  }
}

/** The demo organisation and farm, its profile, tariff and window: made once, kept in ./data after. */
async function demoFarmRecord(
  db: Database,
  operatorOf: (organisationId: string) => Promise<DemoLogin & { id: string }>,
  nowMs: number,
) {
  const found = await db.query<{ organisation: string; farm: string | null }>(
    `SELECT o.id::text AS organisation, f.id::text AS farm FROM organisations o
       LEFT JOIN farms f ON f.organisation_id = o.id AND f.name = $2
      WHERE o.name = $1`,
    [ORGANISATION, FARM],
  );
  const organisationId = found.rows[0]?.organisation ?? (await createOrganisation(db, ORGANISATION)).id;
  const operator = await operatorOf(organisationId);
  let farmId = found.rows[0]?.farm ?? null;
  if (farmId === null) {
    farmId = (await createFarm(db, organisationId, FARM)).id;
    await updateFarm(db, farmId, {
      country: 'IR',
      region: 'IR-20',
      timezone: 'Asia/Tehran',
      licence: {
        number: 'MIMT-DEMO-0001',
        authority: 'MIMT (demo)',
        capacityKw: 1,
        validFrom: '2026-03-21',
        validTo: '2027-03-20',
      },
    });
    const today = new Date(nowMs).toISOString().slice(0, 10);
    await addTariff(
      db,
      farmId,
      {
        currency: 'IRR',
        effectiveFrom: today,
        defaultPricePerKwh: 8_287,
        bands: [{ name: 'restricted', pricePerKwh: 33_148, windows: [{ from: '19:00', to: '23:00' }] }],
      },
      operator.id,
    );
    await addFarmWindow(
      db,
      farmId,
      { class: 'critical_peak', from: '19:00', to: '23:00', validFrom: today },
      operator.id,
    );
    const at = new Date(nowMs - 60_000).toISOString();
    await addPrice(db, { base: 'BTC', quote: 'USD', value: 100_000, at }, 'demo', nowMs);
    await addPrice(db, { base: 'USD', quote: 'IRR', value: 700_000, rateType: 'nima', at }, 'demo', nowMs);
    await addPrice(db, { base: 'USD', quote: 'RUB', value: 81.5, at }, 'demo', nowMs);
  }
  return { farmId, operator };
}

/** The account the demo's miners mine as: roles/banner.ts registers it before they start. */
export const DEMO_ACCOUNT = 'demo';

export async function startDemoFarm(
  db: Database,
  endpoints: { readonly apiUrl: string; readonly stratumPort: number; readonly stratumUrl: string },
  settings: DemoSettings,
  log: Logger,
): Promise<DemoFarm> {
  const nowMs = Date.now();
  const { farmId, operator } = await demoFarmRecord(
    db,
    (organisationId) => demoUser(db, { email: OPERATOR, role: 'operator', organisationId }),
    nowMs,
  );
  const regulator = await demoUser(db, { email: REGULATOR, role: 'regulator' });
  // One key per start: the last start's is revoked, so old keys do not pile up.
  await db.query(
    "UPDATE api_keys SET revoked_at = now() WHERE farm_id = $1 AND label = 'demo agent' AND revoked_at IS NULL",
    [farmId],
  );
  const { key } = await createApiKey(db, farmId, 'demo agent');

  const users = Array.from(
    { length: settings.rigs },
    (_, index) => `${DEMO_ACCOUNT}.asic-${String(index + 1)}`,
  );
  const miners = new CpuMiners(
    {
      host: '127.0.0.1',
      port: endpoints.stratumPort,
      users,
      password: `d=${String(settings.shareDifficulty)}`,
      hashesPerSecond: settings.hashesPerSecond,
    },
    (error) => {
      log.error({ err: error }, 'demo: the CPU miners stopped');
    },
  );
  const rigs = users.map(
    () =>
      new DemoRig({
        hashingW: WATTS_PER_RIG,
        standbyW: STANDBY_WATTS,
        rebootMs: (settings.rebootSeconds ?? 20) * 1000,
      }),
  );
  for (const [index, rig] of rigs.entries()) {
    const user = users[index] ?? '';
    rig.onChange(() => {
      miners.setSpeed(user, rig.speed());
    });
  }
  const antminers: DemoAntminer[] = [];
  const meterPort = (await tryListen('127.0.0.1', 0)) ?? 0;
  let meter: MeterEmulator | undefined;
  const stopRigs = async (): Promise<void> => {
    for (const rig of rigs) {
      rig.dispose();
    }
    await miners.stop();
    await Promise.all([...antminers.map((antminer) => antminer.close()), meter?.close()]);
  };
  // 127.0.0.2 and up exist on Linux only.
  const shared = (await tryListen(rigAddress(0), 0)) === undefined;
  if (shared) {
    log.warn(
      'demo: this system routes only 127.0.0.1 to loopback; the rigs share it, so the agent cannot reach their web interfaces and their commands fail',
    );
  }
  try {
    for (const [index, user] of users.entries()) {
      const rig = rigs[index] as DemoRig;
      const host = shared ? '127.0.0.1' : rigAddress(index);
      const webPort = antminers[0]?.webPort;
      antminers.push(
        await startDemoAntminer(
          rig,
          () => {
            const report = miners.report(user);
            return {
              model: 'Antminer S19j Pro (demo)',
              serial: `DEMO${String(index + 1).padStart(4, '0')}`,
              hashrate: report.hashrate,
              accepted: report.accepted,
              rejected: report.rejected,
              stale: report.stale,
              poolUrl: endpoints.stratumUrl,
              poolUser: user,
              connected: report.connected,
              chipTempC: 62 + ((index * 7) % 11),
            };
          },
          {
            host,
            // 4028 where it is free, so the rigs keep their names from one start to the next.
            ...(!shared && { rpcPort: (await tryListen(host, RPC_PORT)) ?? 0 }),
            // One web port for all, as the agent has one: the first rig's, free on every address.
            ...(!shared && webPort !== undefined && { webPort }),
            pools: [{ url: endpoints.stratumUrl, user, pass: `d=${String(settings.shareDifficulty)}` }],
            macaddr: `02:00:00:00:00:${(index + 1).toString(16).padStart(2, '0')}`,
          },
        ),
      );
    }
    meter = await startMeterEmulator({
      registers: REGISTER_MAPS.sdm630,
      unitId: 1,
      host: '127.0.0.1',
      port: meterPort,
      powerW: 0,
    });
  } catch (error) {
    await stopRigs();
    throw error;
  }
  const stopFollowing = meterFollows(meter, rigs);
  const agentConfig = loadAgentConfig(
    { HASHWATT_AGENT_SERVER_URL: endpoints.apiUrl, HASHWATT_AGENT_API_KEY: key },
    undefined,
    {
      devices: antminers.map((antminer) => ({
        host: antminer.host,
        port: antminer.rpcPort,
        driver: 'antminer',
      })),
      ...(!shared && { scan: { httpPort: antminers[0]?.webPort } }),
      // Stock firmware's own login, which the demo rigs keep.
      credentials: { stock: [{ username: 'root', password: 'root' }] },
      meters: [
        {
          name: 'demo-meter',
          serial: 'DEMO-SDM630-0001',
          host: '127.0.0.1',
          port: meterPort,
          model: 'sdm630',
        },
      ],
      poll: { intervalSeconds: settings.pollSeconds ?? 10, commandSeconds: settings.commandSeconds ?? 5 },
      queue: { dir: path.join(settings.dataDir, 'demo-agent') },
    },
  );
  const agentLog = log.child({ component: 'demo-agent' });
  let agent: RunningAgent | undefined;
  try {
    agent = await runAgent(agentConfig, {
      info: (fields, message) => {
        agentLog.debug(fields, message);
      },
      warn: (fields, message) => {
        agentLog.warn(fields, message);
      },
      error: (fields, message) => {
        agentLog.error(fields, message);
      },
    });
  } catch (error) {
    log.warn({ err: error }, 'demo: the farm agent did not start; the pool and its miners run without it');
  }
  const rating = new AbortController();
  const rated = rateRigs(
    db,
    farmId,
    antminers.map((antminer) => `${antminer.host}:${String(antminer.rpcPort)}`),
    rating.signal,
  ).catch((error: unknown) => {
    log.warn({ err: error }, "demo: could not set the rigs' nameplate power");
  });
  return {
    operator: { email: operator.email, password: operator.password },
    regulator: { email: regulator.email, password: regulator.password },
    farmId,
    rigs: users.map((user, index) => ({
      user,
      device: `${antminers[index]?.host ?? ''}:${String(antminers[index]?.rpcPort ?? 0)}`,
      rig: rigs[index] as DemoRig,
    })),
    async stop() {
      rating.abort();
      await rated;
      await agent?.stop();
      stopFollowing();
      await stopRigs();
    },
  };
}
