import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Farm } from '@hashwatt/schemas';
import { executeDueCommands } from './actions/executor.ts';
import type { AgentConfig } from './config.ts';
import type { ProbePorts } from './discovery/identify.ts';
import { hostsOf, scan } from './discovery/scan.ts';
import { DRIVERS } from './drivers/registry.ts';
import { MeterError } from './meters/modbus-meter.ts';
import { readMeters as readConfiguredMeters } from './meters/read-meter.ts';
import { Poller, type PolledDevice } from './poll/poller.ts';
import { DiskQueue, type Reading } from './queue/disk-queue.ts';
import { Uploader, type UploaderLog } from './upload/uploader.ts';
import type { RpcLimits } from './protocol/rpc-error.ts';
import { causeOf } from './protocol/http-json.ts';

/**
 * The agent at work: it checks its key with the server, finds the farm's miners
 * (configured devices, and scans of its ranges, repeated), polls miners and meters
 * every interval into the disk queue, uploads the queue in the background, and carries
 * out the commands the server queues for its devices.
 */

export const AGENT_VERSION = '0.1.0';

export class AgentStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentStartError';
  }
}

export function portsOf(config: AgentConfig): ProbePorts {
  const { rpcPort, httpPort, whatsminerV3Port, gpuPorts } = config.scan;
  return { rpc: rpcPort, http: httpPort, whatsminerV3: whatsminerV3Port, gpu: gpuPorts };
}

export function limitsOf(config: AgentConfig): RpcLimits {
  return {
    connectTimeoutMs: config.poll.connectTimeoutMs,
    totalTimeoutMs: config.poll.timeoutMs,
    maxBytes: 8 << 20,
  };
}

/** The farm the key belongs to; an unreachable server or a refused key is a clear error. */
export async function checkServer(config: AgentConfig): Promise<Farm> {
  let response: Response;
  try {
    response = await fetch(new URL('/api/agent/farm', config.server.url), {
      headers: { authorization: `Bearer ${config.server.apiKey}` },
      signal: AbortSignal.timeout(config.upload.timeoutMs),
    });
  } catch (error) {
    throw new AgentStartError(
      `the server at ${config.server.url} cannot be reached (${causeOf(error)}); check server.url and the network`,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new AgentStartError(
      `the server at ${config.server.url} refused the farm API key (HTTP ${String(response.status)}): it is wrong or was revoked; an operator can make a new one in the farm's settings`,
    );
  }
  if (!response.ok) {
    throw new AgentStartError(
      `the server at ${config.server.url} answered HTTP ${String(response.status)} to the key check`,
    );
  }
  return (await response.json()) as Farm;
}

/** Configured devices, then what a scan of the ranges found, each address once. */
export async function findDevices(config: AgentConfig): Promise<PolledDevice[]> {
  const limits = limitsOf(config);
  const devices = new Map<string, PolledDevice>();
  const ports = portsOf(config);
  for (const device of config.devices) {
    const driver = device.driver === undefined ? undefined : DRIVERS[device.driver];
    if (driver) {
      const address = {
        host: device.host,
        port: device.port ?? driver.port,
      };
      devices.set(`${address.host}:${String(address.port)}`, { address, driver });
    }
  }
  const unnamed = config.devices.filter((device) => device.driver === undefined).map((device) => device.host);
  const hosts = [...hostsOf(config.scan.ranges), ...unnamed];
  if (hosts.length > 0) {
    const result = await scan(hosts, {
      ports,
      limits,
      concurrency: config.scan.concurrency,
      hostTimeoutMs: config.scan.hostTimeoutMs,
    });
    for (const found of result.found) {
      const key = `${found.address.host}:${String(found.address.port)}`;
      if (!devices.has(key)) {
        devices.set(key, { address: found.address, driver: found.driver });
      }
    }
  }
  return [...devices.values()];
}

export interface RunningAgent {
  stop(): Promise<void>;
}

export async function runAgent(
  config: AgentConfig,
  log: UploaderLog,
  now: () => Date = () => new Date(),
): Promise<RunningAgent> {
  const farm = await checkServer(config);
  log.info({ farm: farm.id, name: farm.name }, 'agent: the server knows this farm');
  const queue = await DiskQueue.open(join(config.queue.dir, 'queue'), {
    maxBytes: config.queue.maxMegabytes << 20,
    segmentBytes: Math.max(64 << 10, Math.min(16 << 20, (config.queue.maxMegabytes << 20) >> 4)),
  });
  const uploader = new Uploader(queue, {
    serverUrl: config.server.url,
    apiKey: config.server.apiKey,
    agentVersion: AGENT_VERSION,
    batchSize: config.upload.batchSize,
    maxBodyBytes: config.upload.maxBatchBytes,
    timeoutMs: config.upload.timeoutMs,
    backoff: { initialMs: 1_000, maxMs: 300_000 },
    rejectedDir: join(config.queue.dir, 'rejected'),
    log,
  });
  const poller = new Poller();
  const stop = new AbortController();
  let devices = await findDevices(config);
  let scannedAt = Date.now();
  log.info({ devices: devices.length, meters: config.meters.length }, 'agent: polling');
  const context = {
    now,
    limits: limitsOf(config),
    credentials: config.credentials,
    webPort: config.scan.httpPort,
  };
  const polling = (async () => {
    while (!stop.signal.aborted) {
      const started = Date.now();
      if (config.scan.ranges.length > 0 && started - scannedAt > config.scan.rescanMinutes * 60_000) {
        devices = await findDevices(config);
        scannedAt = Date.now();
      }
      const miners = await poller.cycle(devices, config.poll.concurrency, context);
      const meters = await readMeters(config, now, log);
      await queue.append([...miners.map((sample) => ({ kind: 'miner' as const, sample })), ...meters]);
      const took = Date.now() - started;
      if (took > config.poll.intervalSeconds * 1000) {
        log.warn({ took, devices: devices.length }, 'agent: a polling cycle took longer than its interval');
      }
      await sleep(Math.max(0, config.poll.intervalSeconds * 1000 - took), undefined, {
        signal: stop.signal,
      }).catch(() => undefined);
    }
  })();
  const commanding = (async () => {
    while (!stop.signal.aborted) {
      const byKey = new Map(
        devices.map((device) => [`${device.address.host}:${String(device.address.port)}`, device]),
      );
      await executeDueCommands(
        { url: config.server.url, apiKey: config.server.apiKey, timeoutMs: config.upload.timeoutMs },
        byKey,
        context,
        log,
      );
      await sleep(config.poll.commandSeconds * 1000, undefined, { signal: stop.signal }).catch(
        () => undefined,
      );
    }
  })();
  const uploading = (async () => {
    while (!stop.signal.aborted) {
      const pause = await uploader.drain().catch((error: unknown) => {
        log.error(
          { error: error instanceof Error ? error.message : String(error) },
          'agent: the queue could not be read',
        );
        return 5_000;
      });
      await sleep(pause > 0 ? pause : 1_000, undefined, { signal: stop.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stop.abort();
      await Promise.all([polling, commanding, uploading]);
      await uploader.drain().catch(() => undefined);
    },
  };
}

/** Each meter's reading, or its failed read with the reason: a failure is recorded, never a made-up 0. */
export async function readMeters(config: AgentConfig, now: () => Date, log: UploaderLog): Promise<Reading[]> {
  const results = await readConfiguredMeters(config.meters, {
    connectTimeoutMs: config.poll.connectTimeoutMs,
    timeoutMs: config.poll.timeoutMs,
    now,
  });
  return results.flatMap((result, i): Reading[] => {
    const meter = config.meters[i];
    if (!meter) {
      return [];
    }
    if (result instanceof MeterError) {
      log.warn({ meter: meter.name, error: result.message }, 'agent: meter unread');
      return [
        {
          kind: 'meter-failure',
          failure: {
            meter: meter.name,
            ...(meter.serial !== undefined && { serial: meter.serial }),
            at: now().toISOString(),
            reason: reasonOf(result, meter.name),
          },
        },
      ];
    }
    return [{ kind: 'meter', sample: result.sample }];
  });
}

/** The error without its `meter <name>: ` prefix (the failure names the meter), within the schema's 500 characters. */
function reasonOf(error: MeterError, meter: string): string {
  const prefix = `meter ${meter}: `;
  return (error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message).slice(
    0,
    500,
  );
}
