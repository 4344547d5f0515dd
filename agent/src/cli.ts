import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { AgentStartError, limitsOf, portsOf, runAgent } from './agent.ts';
import { AgentConfigError, loadAgentConfig, type AgentConfig } from './config.ts';
import { hostsOf, scan, ScanRangeError, type ScanResult } from './discovery/scan.ts';
import { Poller } from './poll/poller.ts';
import type { MinerSample } from '@hashwatt/schemas';

/**
 * `hashwatt-agent scan` prints what it finds on the farm's network; `hashwatt-agent run`
 * polls and reports. Problems with the configuration, the server or the key end the
 * program with a message that says what to fix, and exit code 2.
 */

const USAGE = `usage:
  hashwatt-agent scan [--config agent.json] [--range 10.0.4.0/22 ...]
  hashwatt-agent run [--config agent.json]

The configuration file is described in agent/README.md; HASHWATT_AGENT_CONFIG,
HASHWATT_AGENT_SERVER_URL and HASHWATT_AGENT_API_KEY may stand in for it.`;

export async function main(argv: readonly string[], environment: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  let values: { config?: string | undefined; range?: string[] | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        config: { type: 'string' },
        range: { type: 'string', multiple: true },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help === true || command === undefined || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  try {
    if (command === 'scan') {
      return await scanCommand(values.config, values.range ?? [], environment);
    }
    if (command === 'run') {
      const ranges = values.range ?? [];
      return await runCommand(
        loadAgentConfig(
          environment,
          values.config,
          ranges.length > 0 ? { scan: { ranges: [...ranges] } } : {},
        ),
      );
    }
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  } catch (error) {
    if (
      error instanceof AgentConfigError ||
      error instanceof AgentStartError ||
      error instanceof ScanRangeError
    ) {
      process.stderr.write(`hashwatt-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function scanCommand(
  file: string | undefined,
  ranges: readonly string[],
  environment: NodeJS.ProcessEnv,
): Promise<number> {
  // A scan talks to no server: its settings may be absent.
  const config: AgentConfig = loadAgentConfig(
    { HASHWATT_AGENT_SERVER_URL: 'http://unused', HASHWATT_AGENT_API_KEY: 'hwk_unused', ...environment },
    file,
    ranges.length > 0 ? { scan: { ranges: [...ranges] } } : {},
  );
  const hosts = hostsOf(config.scan.ranges);
  const started = Date.now();
  const limits = limitsOf(config);
  const result = await scan(hosts, {
    ports: portsOf(config),
    limits,
    concurrency: config.scan.concurrency,
    hostTimeoutMs: config.scan.hostTimeoutMs,
  });
  const samples = await new Poller().cycle(result.found, config.poll.concurrency, {
    now: () => new Date(),
    limits,
  });
  process.stdout.write(scanReport(result, samples, (Date.now() - started) / 1000));
  return 0;
}

export function scanReport(result: ScanResult, samples: readonly MinerSample[], seconds: number): string {
  const rows = result.found.map((found, i) => {
    const sample = samples[i];
    return [
      `${found.address.host}:${String(found.address.port)}`,
      found.driver.name,
      sample?.identity.make ?? '',
      sample?.identity.model ?? '',
      sample?.identity.firmwareVersion ?? '',
      formatHashrate(sample?.hashrate),
      sample?.powerW === undefined ? '' : `${sample.powerW.toFixed(0)} W`,
      sample?.state ?? '',
      found.evidence,
    ];
  });
  const header = ['ADDRESS', 'DRIVER', 'MAKE', 'MODEL', 'FIRMWARE', 'HASHRATE', 'POWER', 'STATE', 'FOUND BY'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const host of result.unidentified) {
    out.push(`${host.host}: listens on ${host.openPorts.join(', ')} but did not answer as a known miner`);
  }
  for (const host of result.timedOut) {
    out.push(`${host}: no answer before the host deadline`);
  }
  for (const host of result.failed) {
    out.push(`${host.host}: the probe failed: ${host.reason}`);
  }
  out.push(
    `${String(result.found.length)} miner(s) among ${String(result.probed)} address(es), ${seconds.toFixed(1)} s`,
  );
  return `${out.join('\n')}\n`;
}

export function formatHashrate(hashrate: number | undefined): string {
  if (hashrate === undefined) {
    return '';
  }
  const units = ['H/s', 'kH/s', 'MH/s', 'GH/s', 'TH/s', 'PH/s', 'EH/s'];
  let value = hashrate;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit] ?? ''}`;
}

async function runCommand(config: AgentConfig): Promise<number> {
  // A person at a terminal reads pino-pretty (synchronous: a crash's last line is kept);
  // a pipe, a file or journald gets JSON lines.
  const log = process.stdout.isTTY
    ? pino({ name: 'hashwatt-agent' }, PinoPretty({ destination: 1, sync: true, ignore: 'pid,hostname' }))
    : pino({ name: 'hashwatt-agent' });
  const agent = await runAgent(config, log);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info('agent: stopping; what is queued stays on disk for the next start');
  await agent.stop();
  return 0;
}
