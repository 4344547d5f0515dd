import { connect } from 'node:net';
import type { DeviceAddress, MinerDriver } from '../drivers/driver.ts';
import { num, record, str } from '../drivers/fields.ts';
import { DRIVERS } from '../drivers/registry.ts';
import { command } from '../protocol/cgminer-rpc.ts';
import { RpcError, type RpcLimits } from '../protocol/rpc-error.ts';
import { framedRequest } from '../protocol/framed-json.ts';
import { deviceUrl, getJson, requestText } from '../protocol/http-json.ts';

/**
 * Which driver speaks to a host: the probes pyasic and asic-rs use (see
 * ../shared/domain/miner-apis.md B0), run at once, each bounded. The RPC answers to
 * `version`, `devdetails` and `summary` name most firmware; the web port names the
 * rest (AxeOS, stock Antminer's digest realm); the GPU miners' HTTP APIs are tried on
 * their ports.
 */

export interface ProbePorts {
  readonly rpc: number;
  readonly http: number;
  /** Whatsminer API v3 (firmware from late 2024), length-prefixed JSON. */
  readonly whatsminerV3?: number;
  /** GPU miners' API ports (T-Rex 4067, NBMiner 22333, …): each tried with its known paths. */
  readonly gpu: readonly number[];
}

export const DEFAULT_PROBE_PORTS: ProbePorts = {
  rpc: 4028,
  http: 80,
  whatsminerV3: 4433,
  gpu: [4067, 22333, 10555, 8080],
};

/** Whatsminer v3 answers get.device.info with code 0 and its miner's details. */
export async function probeWhatsminerV3(
  host: string,
  port: number,
  limits: RpcLimits,
): Promise<Identified | undefined> {
  try {
    const reply = record(await framedRequest({ host, port }, { cmd: 'get.device.info' }, limits));
    const driver = DRIVERS['whatsminer-v3'];
    if (driver && num(reply?.code) === 0 && record(record(reply?.msg)?.miner)) {
      return { address: { host, port }, driver, evidence: `v3 ${String(port)}: get.device.info` };
    }
  } catch {
    // Not a Whatsminer of the v3 API.
  }
  return undefined;
}

export interface Identified {
  readonly address: DeviceAddress;
  readonly driver: MinerDriver;
  /** What gave it away, for `hashwatt-agent scan`. */
  readonly evidence: string;
}

/** Firmware markers in the upper-cased RPC reply, most specific first. */
const RPC_MARKERS: readonly (readonly [RegExp, string])[] = [
  [/BOSMINER|BOSER/, 'braiins-rpc'],
  [/BTMINER|BITMICRO/, 'whatsminer'],
  [/LUXMINER/, 'luxos'],
  [/TEAMREDMINER/, 'teamredminer'],
  [/AVALON/, 'avalon'],
  [/GCMINER|FLUXOS/, 'auradine'],
  [/INNOMINER/, 'innosilicon'],
  [/HIVEON|VNISH|ANTMINER|BMMINER/, 'antminer'],
  [/CGMINER|SGMINER|BFGMINER/, 'cgminer'],
];

export async function probeRpc(
  host: string,
  port: number,
  limits: RpcLimits,
): Promise<Identified | undefined> {
  // Whatsminer names itself (btminer) in the STATUS of every reply, summary included.
  const replies = await Promise.allSettled(
    ['version', 'devdetails', 'summary'].map((name) => command({ host, port }, name, {}, limits)),
  );
  const text = replies
    .map((reply) => (reply.status === 'fulfilled' ? JSON.stringify(reply.value.body) : ''))
    .join(' ')
    .toUpperCase();
  if (text.trim().length === 0) {
    // Something answered, but not in JSON: ePIC's HTTP API sits on this port.
    const answered = replies.some(
      (reply) =>
        reply.status === 'rejected' && reply.reason instanceof RpcError && reply.reason.failure === 'json',
    );
    return answered ? probeEpic(host, port, limits.totalTimeoutMs) : undefined;
  }
  for (const [marker, name] of RPC_MARKERS) {
    const found = marker.exec(text);
    if (found) {
      const driver = DRIVERS[name];
      return driver && { address: { host, port }, driver, evidence: `rpc ${String(port)}: ${found[0]}` };
    }
  }
  return undefined;
}

type WebFirmware = 'axeos' | 'antminer' | 'braiins-rest' | 'elphapex' | 'goldshell';

/**
 * The web port: Antminer's digest realm says its RPC is stock (Elphapex's realm is
 * "Daoge"); AxeOS serves its API there; Braiins OS and Goldshell ("cloud-box") name
 * themselves on the page.
 */
export async function probeHttp(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<WebFirmware | undefined> {
  const base = deviceUrl(host, port, '');
  const [root, info] = await Promise.all([
    // The realm, and the start of the page, where Braiins OS names itself.
    requestText(`${base}/`, { timeoutMs, maxBytes: 65_536, overflow: 'truncate', redirect: 'manual' }).then(
      (page) => `${page.headers.get('www-authenticate') ?? ''}\n${page.text}`,
      () => '',
    ),
    getJson(`${base}/api/system/info`, { timeoutMs, maxBytes: 1 << 20 }).then(
      (reply) => reply.body,
      () => undefined,
    ),
  ]);
  if (/realm="antMiner/i.test(root)) {
    return 'antminer';
  }
  if (/realm="Daoge/i.test(root)) {
    return 'elphapex';
  }
  if (/Braiins OS/i.test(root)) {
    return 'braiins-rest';
  }
  if (/cloud-box/i.test(root)) {
    return 'goldshell';
  }
  if (typeof info === 'object' && info !== null && 'ASICModel' in info && 'hashRate' in info) {
    return 'axeos';
  }
  return undefined;
}

/**
 * ePIC answers HTTP on the cgminer port: its `/summary` names its software
 * ("PowerPlay-BMS v1.5.13") and OS ("umcOS").
 */
export async function probeEpic(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Identified | undefined> {
  try {
    const { body } = await getJson(deviceUrl(host, port, '/summary'), { timeoutMs, maxBytes: 1 << 20 });
    const summary = record(body);
    const driver = DRIVERS.epic;
    const software = `${str(summary?.Software) ?? ''} ${str(summary?.['OS Type']) ?? ''}`;
    if (driver && summary && /powerplay|umcos|epic/i.test(software) && 'Session' in summary) {
      return {
        address: { host, port },
        driver,
        evidence: `http ${String(port)}/summary: ${software.trim()}`,
      };
    }
  } catch {
    // Not ePIC's HTTP API.
  }
  return undefined;
}

const GPU_PROBES: readonly {
  readonly path: string;
  readonly driver: string;
  readonly test: (body: Record<string, unknown>) => boolean;
}[] = [
  {
    path: '/summary',
    driver: 'trex',
    test: (body) => /t-rex/i.test(`${str(body.description) ?? ''} ${str(body.name) ?? ''}`),
  },
  { path: '/summary', driver: 'lolminer', test: (body) => /lolminer/i.test(str(body.Software) ?? '') },
  { path: '/stat', driver: 'gminer', test: isGminerStat },
  {
    path: '/api/v1/status',
    driver: 'nbminer',
    test: (body) => typeof body.miner === 'object' && 'stratum' in body,
  },
  { path: '/2/summary', driver: 'xmrig', test: (body) => /xmrig/i.test(str(body.ua) ?? '') },
];

/**
 * GMiner's `/stat`: from 1.19 it names itself (`"miner":"GMiner 1.34"`); 1.18 and
 * earlier do not, and are known by their shape: no `miner`, the pool in `server`, and
 * `devices[]` each with `gpu_id` and `speed`.
 */
function isGminerStat(body: Record<string, unknown>): boolean {
  if (body.miner !== undefined) {
    return /gminer/i.test(str(body.miner) ?? '');
  }
  const devices = Array.isArray(body.devices) ? (body.devices as unknown[]) : [];
  return (
    typeof body.server === 'string' &&
    devices.length > 0 &&
    devices.every((device) => {
      const entry = record(device);
      return entry !== undefined && num(entry.gpu_id) !== undefined && num(entry.speed) !== undefined;
    })
  );
}

export async function probeGpu(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Identified | undefined> {
  const paths = [...new Set(GPU_PROBES.map((probe) => probe.path))];
  const bodies = await Promise.all(
    paths.map(async (path) => {
      try {
        const { body } = await getJson(deviceUrl(host, port, path), {
          timeoutMs,
          maxBytes: 1 << 20,
        });
        return [path, body] as const;
      } catch {
        return [path, undefined] as const;
      }
    }),
  );
  for (const probe of GPU_PROBES) {
    const body = bodies.find(([path]) => path === probe.path)?.[1];
    const driver = DRIVERS[probe.driver];
    if (typeof body === 'object' && body !== null && driver && probe.test(body as Record<string, unknown>)) {
      return { address: { host, port }, driver, evidence: `http ${String(port)}${probe.path}` };
    }
  }
  return undefined;
}

/**
 * Whether anything listens: a bare TCP connect, far cheaper than an HTTP request, so
 * the empty addresses of a range cost a refused connection each and nothing more.
 */
export function isOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (open: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => {
      done(false);
    }, timeoutMs);
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

export interface HostReport {
  readonly host: string;
  readonly identified?: Identified;
  /** The probed ports that accepted a connection: something listens, even if nothing was recognised. */
  readonly openPorts: readonly number[];
}

/** Every probe at once; the RPC's answer wins, then the web page, then a GPU miner's API. */
export async function probeHost(host: string, ports: ProbePorts, limits: RpcLimits): Promise<HostReport> {
  const v3 = ports.whatsminerV3;
  const probed = [ports.rpc, ports.http, ...ports.gpu, ...(v3 === undefined ? [] : [v3])];
  const open = await Promise.all(probed.map((port) => isOpen(host, port, limits.connectTimeoutMs)));
  const openPorts = probed.filter((_, i) => open[i] === true);
  const listening = (port: number | undefined): boolean => port !== undefined && openPorts.includes(port);
  const [rpc, http, whatsminer, ...gpu] = await Promise.all([
    listening(ports.rpc) ? probeRpc(host, ports.rpc, limits) : undefined,
    listening(ports.http) ? probeHttp(host, ports.http, limits.totalTimeoutMs) : undefined,
    v3 !== undefined && listening(v3) ? probeWhatsminerV3(host, v3, limits) : undefined,
    ...ports.gpu.map((port) => (listening(port) ? probeGpu(host, port, limits.totalTimeoutMs) : undefined)),
  ]);
  // Newer Whatsminers answer both APIs; v3 carries more (power, board serials, error reasons).
  const identified = whatsminer ?? decide(host, ports, rpc, http, gpu);
  return { host, openPorts, ...(identified && { identified }) };
}

export async function identify(
  host: string,
  ports: ProbePorts,
  limits: RpcLimits,
): Promise<Identified | undefined> {
  return (await probeHost(host, ports, limits)).identified;
}

function decide(
  host: string,
  ports: ProbePorts,
  rpc: Identified | undefined,
  http: WebFirmware | undefined,
  gpu: readonly (Identified | undefined)[],
): Identified | undefined {
  // Elphapex's CGI carries what its RPC does not; Goldshell's cgminer names only bfgminer.
  const web = http === 'elphapex' || http === 'goldshell' ? DRIVERS[http] : undefined;
  if (web && (rpc === undefined || rpc.driver.name === 'cgminer')) {
    return {
      address: { host, port: ports.http },
      driver: web,
      evidence: `http ${String(ports.http)}: ${web.make}`,
    };
  }
  // Braiins OS 25.07+ serves its REST API too, with power and the tuner: it wins over port 4028.
  if (http === 'braiins-rest' && DRIVERS['braiins-rest']) {
    return {
      address: { host, port: ports.http },
      driver: DRIVERS['braiins-rest'],
      evidence: `http ${String(ports.http)}: Braiins OS`,
    };
  }
  if (rpc && !(rpc.driver.name === 'cgminer' && http === 'antminer')) {
    return rpc;
  }
  if (http === 'antminer' && DRIVERS.antminer) {
    return {
      address: { host, port: ports.rpc },
      driver: DRIVERS.antminer,
      evidence: 'http: realm="antMiner"',
    };
  }
  if (http === 'axeos' && DRIVERS.axeos) {
    return {
      address: { host, port: ports.http },
      driver: DRIVERS.axeos,
      evidence: `http ${String(ports.http)}: AxeOS`,
    };
  }
  return rpc ?? gpu.find((found) => found !== undefined);
}
