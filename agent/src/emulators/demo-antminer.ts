import { startAntminerWeb, type ConfPool, type RunningAntminerWeb } from './antminer-web-emulator.ts';
import { startCgminerEmulator, type CgminerReplies, type RunningEmulator } from './cgminer-emulator.ts';
import type { DemoRig } from './demo-rig.ts';

/**
 * An Antminer's cgminer API made up from a live rig: the demo farm's machines are CPU
 * miners on the pool, and each answers version, summary, stats and pools as stock
 * bmminer does, with the hashrate, shares and pool the rig really has. The agent reads
 * it with its ordinary Antminer driver.
 */
export interface AntminerFigures {
  readonly model: string;
  readonly serial: string;
  /** Hashes per second, as the rig measures its own work. */
  readonly hashrate: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly stale: number;
  readonly uptimeSeconds: number;
  readonly poolUrl: string;
  readonly poolUser: string;
  readonly connected: boolean;
  readonly chipTempC: number;
}

const status = (message: string) => [
  { STATUS: 'S', When: Math.floor(Date.now() / 1000), Code: 0, Msg: message, Description: 'bmminer 2.0.0' },
];

export function demoAntminerReplies(rig: () => AntminerFigures): CgminerReplies {
  return ({ command }) => {
    const now = rig();
    // cgminer reports in fixed units; kH/s keeps a CPU miner's rate readable.
    const khs = now.hashrate / 1e3;
    switch (command) {
      case 'version':
        return JSON.stringify({
          STATUS: status('BMMiner versions'),
          VERSION: [
            { BMMiner: '2.0.0', API: '3.1', Miner: 'demo-1.0', CompileTime: '2026-11-01', Type: now.model },
          ],
          id: 1,
        });
      case 'summary':
        return JSON.stringify({
          STATUS: status('Summary'),
          SUMMARY: [
            {
              Elapsed: now.uptimeSeconds,
              'KHS 5s': khs,
              'KHS av': khs,
              Accepted: now.accepted,
              Rejected: now.rejected,
              Stale: now.stale,
              'Hardware Errors': 0,
            },
          ],
          id: 1,
        });
      case 'stats':
        return JSON.stringify({
          STATUS: status('CGMiner stats'),
          STATS: [
            { BMMiner: '2.0.0', Miner: 'demo-1.0', Type: now.model },
            {
              Elapsed: now.uptimeSeconds,
              'KHS 5s': khs,
              rate_unit: 'KH',
              total_rateideal: khs,
              miner_count: 1,
              fan_num: 2,
              fan1: 4200,
              fan2: 4320,
              chain_acn1: 1,
              chain_rate1: String(khs),
              chain_rateideal1: khs,
              temp_pcb1: `${String(Math.round(now.chipTempC - 15))}-${String(Math.round(now.chipTempC - 12))}`,
              temp_chip1: `${String(Math.round(now.chipTempC - 2))}-${String(Math.round(now.chipTempC))}`,
              freq1: 500,
            },
          ],
          id: 1,
        });
      case 'pools':
        return JSON.stringify({
          STATUS: status('1 Pool(s)'),
          POOLS: [
            {
              POOL: 0,
              URL: now.poolUrl,
              User: now.poolUser,
              Status: now.connected ? 'Alive' : 'Dead',
              Priority: 0,
              'Stratum Active': now.connected,
              Accepted: now.accepted,
              Rejected: now.rejected,
              Stale: now.stale,
            },
          ],
          id: 1,
        });
      default:
        return undefined;
    }
  };
}

/** What a demo Antminer's CPU miner reports of its own work; the rest comes from its DemoRig. */
export type LiveFigures = Omit<AntminerFigures, 'uptimeSeconds'>;

export interface DemoAntminer {
  readonly host: string;
  /** The cgminer API's port. */
  readonly rpcPort: number;
  /** The web interface's port. */
  readonly webPort: number;
  close(): Promise<void>;
}

/** A board asleep cools toward the room, in °C. */
const IDLE_CHIP_TEMP_C = 35;

/**
 * One demo Antminer on the network: its cgminer API and its web interface on one
 * address, both reporting and obeying `rig`. Asleep it reports no hashrate; while it
 * reboots neither answers; back up, its uptime starts again.
 */
export async function startDemoAntminer(
  rig: DemoRig,
  live: () => LiveFigures,
  options: {
    readonly host: string;
    readonly rpcPort?: number;
    readonly webPort?: number;
    readonly logins?: Readonly<Record<string, string>>;
    readonly pools: readonly ConfPool[];
    readonly macaddr: string;
  },
): Promise<DemoAntminer> {
  const first = live();
  const rpc: RunningEmulator = await startCgminerEmulator(
    demoAntminerReplies(() => {
      const figures = live();
      const working = rig.speed() > 0;
      return {
        ...figures,
        hashrate: working ? figures.hashrate : 0,
        connected: working && figures.connected,
        chipTempC: working ? figures.chipTempC : IDLE_CHIP_TEMP_C,
        uptimeSeconds: rig.uptimeSeconds(),
      };
    }),
    { host: options.host, ...(options.rpcPort !== undefined && { port: options.rpcPort }) },
  );
  let web: RunningAntminerWeb;
  try {
    web = await startAntminerWeb(rig, {
      host: options.host,
      ...(options.webPort !== undefined && { port: options.webPort }),
      ...(options.logins && { logins: options.logins }),
      system: {
        minertype: first.model,
        serinum: first.serial,
        hostname: first.serial.toLowerCase(),
        macaddr: options.macaddr,
      },
      pools: options.pools,
    });
  } catch (error) {
    await rpc.close();
    throw error;
  }
  let reachability = Promise.resolve();
  const stop = rig.onChange(() => {
    reachability = reachability.then(() => (rig.rebooting ? rpc.goOffline() : rpc.comeOnline()));
  });
  return {
    host: rpc.host,
    rpcPort: rpc.port,
    webPort: web.port,
    async close() {
      stop();
      await reachability;
      await Promise.all([rpc.close(), web.close()]);
    },
  };
}
