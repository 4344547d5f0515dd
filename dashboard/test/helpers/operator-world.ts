/**
 * The farm around an operator's day, beside the dashboard pool: one Antminer on the farm's
 * network running hot (agent/'s emulator: its cgminer API reports a hot chip, its web
 * interface behind digest auth reboots it), the farm agent (`runAgent`, as
 * `hashwatt-agent run` runs it) polling it and carrying out the commands operators send,
 * and the farm's meter, whose readings reach the pool as the agent sends them
 * (`POST /api/agent/telemetry` with the farm's key).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MeterSample, MinerSample, TelemetryReceipt } from '@hashwatt/schemas';
import { runAgent, type RunningAgent } from '../../../agent/src/agent.ts';
import { loadAgentConfig } from '../../../agent/src/config.ts';
import { DemoRig } from '../../../agent/src/emulators/demo-rig.ts';
import { startDemoAntminer, type DemoAntminer } from '../../../agent/src/emulators/demo-antminer.ts';
import { recordTemplate } from '../../../pool-server/src/farms/economics/network.ts';
import { foldRollups } from '../../../pool-server/src/ledger/rollups.ts';
import { ShareStore } from '../../../pool-server/src/ledger/share-store.ts';
import { eventually } from '../../../pool-server/test/helpers/eventually.ts';
import { ORDINARY_SHARE } from '../../../pool-server/test/helpers/share-writer.ts';
import type { DashboardPool } from './dashboard-pool.ts';

/** An address of its own on loopback (Linux routes all of 127/8 there), as on a farm's network. */
const HOT_HOST = '127.0.28.7';
/** Where a stock Antminer's chips throttle is about 90 °C: this one is past it. */
export const HOT_CHIP_C = 97;
/** The pool user the hot rig mines as: the farm's device list links it to a worker by it. */
const POOL_USER = 'kavir.hall2-hot';
/** A reboot keeps the rig off the network this long: long enough to be seen, short for a test. */
const REBOOT_MS = 2_000;
const MINUTE_MS = 60_000;

export interface HotRig {
  /** host:port of its cgminer API: the agent's name for it, and the dashboard's. */
  readonly device: string;
  /** How many times its web interface was told to reboot it. */
  reboots(): number;
  stop(): Promise<void>;
}

/** Sends one batch of readings as the farm's agent does, and fails on anything but a stored batch. */
async function sendBatch(
  pool: DashboardPool,
  readings: { miners?: readonly MinerSample[]; meters?: readonly MeterSample[] },
): Promise<void> {
  const response = await fetch(`${pool.base}/api/agent/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${pool.farm.agentKey}` },
    body: JSON.stringify({
      batchId: randomUUID(),
      agentVersion: 'operator-day',
      miners: readings.miners ?? [],
      meters: readings.meters ?? [],
      dropped: 0,
    }),
  });
  const receipt = (await response.json()) as TelemetryReceipt;
  if (response.status !== 200 || !receipt.stored) {
    throw new Error(`the pool refused the readings: ${String(response.status)} ${JSON.stringify(receipt)}`);
  }
}

/**
 * The farm's 40 machines as their agent last read them: hashing, their hottest chips
 * between 61 and 79 °C (the demo pool's devices report no boards).
 */
export function sendWarmFarm(pool: DashboardPool): Promise<void> {
  const at = new Date(pool.api.clock.ms - MINUTE_MS).toISOString();
  return sendBatch(pool, {
    miners: Array.from({ length: 40 }, (_, index) => ({
      device: `10.0.4.${String(index + 10)}:4028`,
      at,
      identity: { make: 'Antminer', model: 'S21', firmware: 'stock', algorithm: 'sha256d' },
      state: 'mining',
      hashrate: 200e12,
      powerW: 3_500,
      boards: [{ slot: 0, hashrate: 200e12, boardTempC: 50, chipTempC: 61 + ((index * 7) % 19) }],
      fans: [],
      pools: [],
      messages: [],
      collection: { latencyMs: 1, sources: [], warnings: [] },
    })),
  });
}

/** The hot Antminer and the agent polling it every 5 s (its least), asking for commands every second; ready once its first reading is stored. */
export async function startHotRig(pool: DashboardPool): Promise<HotRig> {
  const rig = new DemoRig({ hashingW: 3_300, standbyW: 60, rebootMs: REBOOT_MS });
  let reboots = 0;
  rig.onChange(() => {
    if (rig.rebooting) {
      reboots += 1;
    }
  });
  const antminer: DemoAntminer = await startDemoAntminer(
    rig,
    () => ({
      model: 'Antminer S19j Pro',
      serial: 'HALL2HOT0001',
      hashrate: HOT_HASHRATE * rig.speed(),
      accepted: 0,
      rejected: 0,
      stale: 0,
      poolUrl: 'stratum+tcp://pool.example:3333',
      poolUser: POOL_USER,
      connected: true,
      chipTempC: HOT_CHIP_C,
    }),
    {
      host: HOT_HOST,
      rpcPort: 0,
      webPort: 0,
      pools: [{ url: 'stratum+tcp://pool.example:3333', user: POOL_USER, pass: 'x' }],
      macaddr: '02:00:00:00:28:07',
    },
  );
  const queue = await mkdtemp(path.join(tmpdir(), 'hashwatt-operator-day-agent-'));
  let agent: RunningAgent;
  try {
    agent = await runAgent(
      loadAgentConfig(
        { HASHWATT_AGENT_SERVER_URL: pool.base, HASHWATT_AGENT_API_KEY: pool.farm.agentKey },
        undefined,
        {
          devices: [{ host: HOT_HOST, port: antminer.rpcPort, driver: 'antminer' }],
          scan: { httpPort: antminer.webPort },
          // Stock firmware's own login, which the emulator keeps.
          credentials: { stock: [{ username: 'root', password: 'root' }] },
          poll: { intervalSeconds: 5, commandSeconds: 1 },
          queue: { dir: queue },
        },
      ),
      { info: () => undefined, warn: () => undefined, error: () => undefined },
    );
  } catch (error) {
    await antminer.close();
    throw error;
  }
  const device = `${HOT_HOST}:${String(antminer.rpcPort)}`;
  await eventually(async () => {
    const { rows } = await pool.api.database.db.query(
      'SELECT 1 FROM devices d JOIN miner_samples s ON s.device_id = d.id WHERE d.device = $1 LIMIT 1',
      [device],
    );
    return rows.length > 0 ? true : undefined;
  }, "the hot rig's first reading, through the agent");
  return {
    device,
    reboots: () => reboots,
    async stop() {
      await agent.stop();
      rig.dispose();
      await antminer.close();
      await rm(queue, { recursive: true, force: true });
    },
  };
}

/** H/s the hot rig hashes at, and the pool measures from its worker. */
const HOT_HASHRATE = 100e12;

/**
 * The pool's side of the hot rig's last three hours, as its Stratum nodes would have stored
 * it: a share a minute from its worker, together worth its 100 TH/s, folded into the
 * rollups, and the network its templates showed (a day before), from which hashprice comes.
 */
export async function recordPoolSide(pool: DashboardPool): Promise<void> {
  const { db } = pool.api.database;
  const nowMs = pool.api.clock.ms;
  await recordTemplate(db, {
    height: 925_000,
    difficulty: 1.5e14,
    feesSats: 20_000_000,
    atMs: nowMs - 86_400_000,
  });
  const difficulty = (HOT_HASHRATE * 60) / 2 ** 32;
  await new ShareStore(db).store({
    id: randomUUID(),
    nodeId: 0,
    shares: Array.from({ length: 180 }, (_, index) => ({
      timeMs: nowMs - (180 - index) * MINUTE_MS,
      account: 'kavir',
      worker: POOL_USER,
      payoutAddress: null,
      difficulty,
      achieved: difficulty * 2,
      ...ORDINARY_SHARE,
    })),
    rejects: [],
  });
  // As the writer's rollup job does every few seconds: a day's figures read the hourly rollups.
  await foldRollups(db);
}

/** One meter's reading each minute from `fromMs` to `toMs`, its register counting the power `powerKwAt` gives. */
export function meterReadings(
  fromMs: number,
  toMs: number,
  powerKwAt: (ms: number) => number,
): MeterSample[] {
  const readings: MeterSample[] = [];
  let energyWh = 5_000_000;
  for (let atMs = fromMs; atMs <= toMs; atMs += MINUTE_MS) {
    const kw = powerKwAt(atMs);
    readings.push({
      meter: 'hall-2-main',
      serial: 'SDM630-HALL2',
      at: new Date(atMs).toISOString(),
      energyWh,
      powerW: kw * 1000,
    });
    energyWh += (kw * 1000 * MINUTE_MS) / 3_600_000;
  }
  return readings;
}

/** The meter's readings, sent as the agent sends them, in batches of at most an hour. */
export async function sendMeterReadings(
  pool: DashboardPool,
  readings: readonly MeterSample[],
): Promise<void> {
  for (let start = 0; start < readings.length; start += 60) {
    await sendBatch(pool, { meters: readings.slice(start, start + 60) });
  }
}
