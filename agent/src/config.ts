import { readFileSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';
import { hostsOf, ScanRangeError } from './discovery/scan.ts';
import { DRIVER_NAMES } from './drivers/registry.ts';
import { checkMeters, MeterEntrySchema } from './meters/meter-config.ts';

/**
 * The agent's settings: a JSON file (`--config agent.json`, or HASHWATT_AGENT_CONFIG),
 * the server's URL and the farm key also from HASHWATT_AGENT_SERVER_URL and
 * HASHWATT_AGENT_API_KEY (so the key need not sit in a file). Every problem is
 * reported at once, with its key, the value given (never a secret's) and the rule.
 */

const Port = Type.Integer({ minimum: 1, maximum: 65_535 });

export const AgentConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        url: Type.String({
          pattern: '^https?://',
          description: 'The pool server, e.g. https://pool.example.org',
        }),
        apiKey: Type.String({
          pattern: '^hwk_',
          writeOnly: true,
          description: "The farm's agent key, hwk_…",
        }),
      },
      { additionalProperties: false },
    ),
    scan: Type.Object(
      {
        ranges: Type.Array(Type.String(), { default: [], description: 'CIDR ranges searched for miners.' }),
        rpcPort: Type.Integer({ default: 4028, minimum: 1, maximum: 65_535 }),
        httpPort: Type.Integer({ default: 80, minimum: 1, maximum: 65_535 }),
        whatsminerV3Port: Type.Integer({ default: 4433, minimum: 1, maximum: 65_535 }),
        gpuPorts: Type.Array(Port, { default: [4067, 22333, 10555] }),
        concurrency: Type.Integer({ default: 128, minimum: 1, maximum: 1_024 }),
        hostTimeoutMs: Type.Integer({ default: 3_000, minimum: 200, maximum: 60_000 }),
        rescanMinutes: Type.Integer({ default: 60, minimum: 1, maximum: 10_080 }),
      },
      { additionalProperties: false, default: {} },
    ),
    devices: Type.Array(
      Type.Object(
        {
          host: Type.String({ minLength: 1 }),
          port: Type.Optional(Port),
          driver: Type.Optional(Type.Enum(DRIVER_NAMES)),
        },
        { additionalProperties: false },
      ),
      { default: [], description: 'Miners polled whether or not a scan finds them.' },
    ),
    poll: Type.Object(
      {
        intervalSeconds: Type.Integer({ default: 30, minimum: 5, maximum: 3_600 }),
        concurrency: Type.Integer({ default: 256, minimum: 1, maximum: 4_096 }),
        connectTimeoutMs: Type.Integer({ default: 2_000, minimum: 100, maximum: 60_000 }),
        timeoutMs: Type.Integer({ default: 5_000, minimum: 200, maximum: 120_000 }),
        commandSeconds: Type.Integer({
          default: 10,
          minimum: 1,
          maximum: 600,
          description: 'How often the server is asked for due commands (curtailment, reboots).',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    credentials: Type.Record(
      Type.String(),
      Type.Array(
        Type.Object(
          { username: Type.String(), password: Type.String({ writeOnly: true }) },
          { additionalProperties: false },
        ),
      ),
      { default: {}, description: 'Per firmware, the logins tried in order for actions that need one.' },
    ),
    meters: Type.Array(MeterEntrySchema, { default: [] }),
    queue: Type.Object(
      {
        dir: Type.String({ default: './agent-data', minLength: 1 }),
        maxMegabytes: Type.Integer({ default: 512, minimum: 1, maximum: 1_048_576 }),
      },
      { additionalProperties: false, default: {} },
    ),
    upload: Type.Object(
      {
        batchSize: Type.Integer({ default: 2_000, minimum: 1, maximum: 20_000 }),
        maxBatchBytes: Type.Integer({
          default: 4 * 1024 * 1024,
          minimum: 64 * 1024,
          maximum: 64 * 1024 * 1024,
          description:
            "No batch is larger (bytes of JSON): the server's api.agentBodyLimitBytes. A server that refuses a batch as too large makes the agent halve it and keep batches under that from then on.",
        }),
        timeoutMs: Type.Integer({ default: 30_000, minimum: 1_000, maximum: 600_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type AgentConfig = Static<typeof AgentConfigSchema>;

export class AgentConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the agent's configuration has ${String(problems.length)} problem(s):\n  ${problems.join('\n  ')}`);
    this.name = 'AgentConfigError';
  }
}

type Json = Record<string, unknown>;

const ENVIRONMENT_HINT: Readonly<Record<string, string>> = {
  'server.url': ' (or HASHWATT_AGENT_SERVER_URL)',
  'server.apiKey': " (or HASHWATT_AGENT_API_KEY; an operator makes one in the farm's settings)",
};

export function loadAgentConfig(
  environment: Readonly<Record<string, string | undefined>>,
  file?: string,
  /** Settings from the command line, over the file's. */
  overrides: Json = {},
): AgentConfig {
  const path = file ?? environment.HASHWATT_AGENT_CONFIG;
  let raw: Json = {};
  if (path !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new AgentConfigError([`${path}: ${error instanceof Error ? error.message : String(error)}`]);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new AgentConfigError([`${path}: the configuration file must hold a JSON object`]);
    }
    raw = parsed as Json;
  }
  for (const [section, values] of Object.entries(overrides)) {
    // A section's settings merge over the file's; a list replaces the file's list.
    raw[section] = Array.isArray(values)
      ? values
      : { ...(raw[section] as Json | undefined), ...(values as Json) };
  }
  const server = { ...(raw.server as Json | undefined) };
  if (environment.HASHWATT_AGENT_SERVER_URL !== undefined) {
    server.url = environment.HASHWATT_AGENT_SERVER_URL;
  }
  if (environment.HASHWATT_AGENT_API_KEY !== undefined) {
    server.apiKey = environment.HASHWATT_AGENT_API_KEY;
  }
  // Which meters name their port, before the defaults fill in Modbus's 502.
  const metersGivingPort = Array.isArray(raw.meters)
    ? (raw.meters as unknown[]).map((meter) => typeof meter === 'object' && meter !== null && 'port' in meter)
    : [];
  const config = Value.Default(AgentConfigSchema, { ...raw, server }) as Json;
  const problems: string[] = [];
  for (const error of Value.Errors(AgentConfigSchema, config)) {
    const key = error.instancePath.slice(1).replaceAll('/', '.');
    const params = error.params as {
      allowedValues?: unknown[];
      additionalProperties?: string[];
      requiredProperties?: string[];
    };
    if (error.keyword === 'boolean') {
      // The key an additionalProperties error names: reported there, once.
      continue;
    }
    if (error.keyword === 'required') {
      for (const missing of params.requiredProperties ?? []) {
        const path = key === '' ? missing : `${key}.${missing}`;
        problems.push(`${path}: missing${ENVIRONMENT_HINT[path] ?? ''}`);
      }
      continue;
    }
    if (error.keyword === 'additionalProperties') {
      for (const extra of params.additionalProperties ?? []) {
        problems.push(`${key === '' ? extra : `${key}.${extra}`}: no such setting`);
      }
      continue;
    }
    const value = error.instancePath
      .split('/')
      .slice(1)
      .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], config);
    // Secrets (the farm key, miners' passwords) are never shown, even when wrong.
    const secret = /(?:apiKey|password)$/.test(key);
    const rule = params.allowedValues ? `must be one of ${params.allowedValues.join(', ')}` : error.message;
    // JSON.stringify(undefined) is undefined: a missing value.
    const shown = JSON.stringify(value) as string | undefined;
    const given = secret ? '(the value given, not shown)' : (shown ?? 'nothing');
    problems.push(`${key || '(root)'}: ${given} ${rule}`);
  }
  if (problems.length > 0) {
    throw new AgentConfigError([...new Set(problems)]);
  }
  const valid = config as AgentConfig;
  problems.push(...checkMeters(valid.meters, metersGivingPort, environment), ...checkMeaning(valid));
  if (problems.length > 0) {
    throw new AgentConfigError(problems);
  }
  return valid;
}

function checkMeaning(config: AgentConfig): string[] {
  const problems: string[] = [];
  config.scan.ranges.forEach((range, i) => {
    try {
      hostsOf([range]);
    } catch (error) {
      if (!(error instanceof ScanRangeError)) {
        throw error;
      }
      problems.push(`scan.ranges.${String(i)}: ${error.message}`);
    }
  });
  const names = config.meters.map((meter) => meter.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) {
    problems.push(`meters: the name "${repeated}" is used twice; each meter needs its own`);
  }
  if (config.scan.ranges.length === 0 && config.devices.length === 0 && config.meters.length === 0) {
    problems.push('scan.ranges, devices, meters: nothing to watch; give ranges to scan, devices, or meters');
  }
  return problems;
}
