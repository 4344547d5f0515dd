import { readFileSync } from 'node:fs';
import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { alertsProblems, AlertsSettings } from './config/alerts.ts';
import { AdminSettings, ApiSettings } from './config/api.ts';
import { DemoSettings, FarmsSettings, PricesSettings, ReportsSettings } from './config/farms.ts';
import { metricsProblems, MetricsSettings } from './config/metrics.ts';
import { PayoutsSettings, PoolSettings, stratumProblems, StratumSettings } from './config/mining.ts';
import { DevchainSettings, NodeSettings } from './config/node.ts';
import {
  ChainSetting,
  DataDirSetting,
  LogFormatSetting,
  LogLevelSetting,
  RolesSetting,
  StopTimeoutSecondsSetting,
} from './config/process.ts';
import { DatabaseSettings, LedgerSettings, NatsSettings } from './config/storage.ts';
import { Sv2NoiseSettings } from './config/sv2-noise.ts';

/**
 * Every setting of the pool, with its default. Sources, later ones winning: these
 * defaults, a JSON file (HASHWATT_CONFIG or --config), then HASHWATT_* environment
 * variables named after the key path (stratum.port -> HASHWATT_STRATUM_PORT).
 */
export const ConfigSchema = Type.Object({
  chain: ChainSetting,
  dataDir: DataDirSetting,
  stopTimeoutSeconds: StopTimeoutSecondsSetting,
  logLevel: LogLevelSetting,
  logFormat: LogFormatSetting,
  roles: RolesSetting,
  nats: NatsSettings,
  node: NodeSettings,
  database: DatabaseSettings,
  ledger: LedgerSettings,
  devchain: DevchainSettings,
  pool: PoolSettings,
  payouts: PayoutsSettings,
  api: ApiSettings,
  admin: AdminSettings,
  farms: FarmsSettings,
  prices: PricesSettings,
  demo: DemoSettings,
  reports: ReportsSettings,
  alerts: AlertsSettings,
  stratum: StratumSettings,
  sv2Noise: Sv2NoiseSettings,
  metrics: MetricsSettings,
});

export type Config = Static<typeof ConfigSchema>;

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Json = Record<string, unknown>;

function environmentName(path: readonly string[]): string {
  return `HASHWATT_${path.map((key) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

interface Leaf {
  readonly path: readonly string[];
  readonly schema: TSchema & { type?: string; description?: string; default?: unknown };
}

/** The HASHWATT_* variable of every setting. */
export function configVariables(): string[] {
  return configLeaves().map((leaf) => environmentName(leaf.path));
}

/** Every setting of the schema with its key path. */
export function configLeaves(schema: TSchema = ConfigSchema, path: readonly string[] = []): Leaf[] {
  const { properties } = schema as { properties?: Record<string, TSchema> };
  if (!properties) {
    return [{ path, schema }];
  }
  return Object.entries(properties).flatMap(([key, child]) => configLeaves(child, [...path, key]));
}

interface LeafRules {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly { readonly const?: unknown }[];
}

/** The values a setting may take, when it is a choice among a few (an enum or a union of literals). */
function choicesOf(schema: TSchema | undefined): readonly unknown[] | undefined {
  const rules = schema as LeafRules | undefined;
  const options = rules?.anyOf;
  return (
    rules?.enum ??
    (options?.every((option) => option.const !== undefined)
      ? options.map((option) => option.const)
      : undefined)
  );
}

/** What a setting accepts, in words. */
function allowedText(schema: Leaf['schema']): string {
  const rules = schema as LeafRules;
  const choices = choicesOf(schema);
  if (choices) {
    return choices.map((choice) => `\`${String(choice)}\``).join(', ');
  }
  const parts: string[] = [];
  if (rules.exclusiveMinimum !== undefined) {
    parts.push(`> ${String(rules.exclusiveMinimum)}`);
  }
  if (rules.minimum !== undefined) {
    parts.push(`≥ ${String(rules.minimum)}`);
  }
  if (rules.maximum !== undefined) {
    parts.push(`≤ ${String(rules.maximum)}`);
  }
  if (rules.pattern !== undefined) {
    parts.push(`matches \`${rules.pattern}\``);
  }
  if (rules.maxLength !== undefined) {
    parts.push(`at most ${String(rules.maxLength)} characters`);
  }
  return parts.join(', ');
}

/** docs/config.md: every setting, its variable, default, what it accepts and what it does. */
export function configReference(): string {
  const cell = (text: string): string => text.replaceAll('|', '\\|');
  const rows = configLeaves().map((leaf) => {
    const value = leaf.schema.default;
    const shown = value === undefined ? '' : `\`${leafText(value)}\``;
    return `| \`${leaf.path.join('.')}\` | \`${environmentName(leaf.path)}\` | ${shown} | ${cell(allowedText(leaf.schema))} | ${cell(leaf.schema.description ?? '')} |`;
  });
  return [
    '# Configuration',
    '',
    'Generated from `pool-server/src/config.ts` by `pnpm write-docs`; a test fails when it is out of date.',
    '',
    'Settings come from their defaults, then a JSON file (`HASHWATT_CONFIG=pool.json` or',
    '`--config pool.json`, keys as below), then the variables. A bad value stops start-up',
    'with every problem listed, each naming its key.',
    '',
    '| key | variable | default | allowed | what it does |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

/** A setting as its variable's text: leaves are strings, numbers, booleans or lists of strings. */
function leafText(value: unknown): string {
  if (Array.isArray(value)) {
    // A list of objects (price sources) travels as JSON; a list of words, comma-separated.
    return value.some((item) => typeof item === 'object') ? JSON.stringify(value) : value.join(',');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  throw new TypeError(`a setting cannot be ${typeof value}`);
}

/**
 * The configuration as HASHWATT_* variables: loading them gives the same configuration.
 * Stratum processes are started with it.
 */
export function configToEnvironment(config: Config): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const leaf of configLeaves()) {
    const value = leaf.path.reduce<unknown>((node, key) => (node as Json | undefined)?.[key], config);
    if (value !== undefined) {
      environment[environmentName(leaf.path)] = leafText(value);
    }
  }
  return environment;
}

function fromEnvironmentText(text: string, schema: Leaf['schema']): unknown {
  switch (schema.type) {
    case 'integer':
    case 'number':
      return text.trim() === '' ? text : Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'array':
      if (text.trimStart().startsWith('[')) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
      return text === '' ? [] : text.split(',').map((item) => item.trim());
    default:
      return text;
  }
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    node[key] = typeof child === 'object' && child !== null ? child : {};
    node = node[key] as Json;
  }
  node[path[path.length - 1] ?? ''] = value;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}

/**
 * The validated, frozen configuration. Every problem is reported at once, each with
 * its key, the value given and what is allowed.
 */
/** Settings that were removed: a configuration still naming one is told what took its place. */
const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  'api.maxFailedLogins':
    'accounts are no longer locked by wrong passwords; sign-ins are slowed instead: see api.signInAccountFailures and api.signInAddressFailures',
  'api.lockMinutes':
    'accounts are no longer locked by wrong passwords; sign-ins wait instead: see api.signInAccountMaxDelaySeconds and api.signInAddressMaxDelaySeconds',
};

function retiredText(path: string): string {
  return `no longer a setting: ${RETIRED_SETTINGS[path] ?? ''}`;
}

export function loadConfig(environment: Readonly<Record<string, string | undefined>>, file?: string): Config {
  const problems: string[] = [];
  let raw: Json = {};
  const configFile = file ?? environment.HASHWATT_CONFIG;
  if (configFile !== undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(configFile, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        problems.push(`${configFile}: the configuration file must hold a JSON object`);
      } else {
        raw = parsed as Json;
      }
    } catch (error) {
      problems.push(`${configFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const leaves = configLeaves();
  const known = new Set(leaves.map((leaf) => environmentName(leaf.path)));
  /** What the environment said, as written, for the messages. */
  const givenText = new Map<string, string>();
  for (const leaf of leaves) {
    const text = environment[environmentName(leaf.path)];
    if (text !== undefined) {
      givenText.set(leaf.path.join('.'), text);
      setPath(raw, leaf.path, fromEnvironmentText(text, leaf.schema));
    }
  }
  for (const name of Object.keys(environment)) {
    if (name.startsWith('HASHWATT_') && name !== 'HASHWATT_CONFIG' && !known.has(name)) {
      const retired = Object.keys(RETIRED_SETTINGS).find((path) => environmentName(path.split('.')) === name);
      problems.push(
        `${name}: ${retired === undefined ? 'no such setting (the settings are listed in docs/config.md)' : retiredText(retired)}`,
      );
    }
  }
  const config = Value.Default(ConfigSchema, raw);
  for (const error of Value.Errors(ConfigSchema, config)) {
    const key = error.instancePath.slice(1).replaceAll('/', '.') || '(root)';
    // An item of a list (roles.1) is reported under its list, with what the items may be.
    const listKey = key.replace(/\.[0-9]+$/, '');
    const leaf = leaves.find((candidate) => candidate.path.join('.') === listKey);
    const value = error.instancePath
      .split('/')
      .slice(1)
      .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], config);
    // [JSON Schema] writeOnly marks secrets: a problem with one never shows the value.
    const secret = (leaf?.schema as { writeOnly?: boolean } | undefined)?.writeOnly === true;
    const given = secret ? '(the value given, not shown)' : JSON.stringify(givenText.get(key) ?? value);
    const allowed = choicesOf(
      key === listKey ? leaf?.schema : (leaf?.schema as { items?: TSchema } | undefined)?.items,
    );
    const rule = allowed ? `must be one of ${allowed.join(', ')}` : error.message;
    const name = leaf ? ` (${environmentName(leaf.path)})` : '';
    problems.push(`${listKey}${name}: ${given} ${rule}`);
  }
  const unknownKeys = (node: unknown, schema: TSchema, path: string[]): void => {
    const { properties } = schema as { properties?: Record<string, TSchema> };
    if (!properties || typeof node !== 'object' || node === null) {
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      const child = properties[key];
      if (!child) {
        const name = [...path, key].join('.');
        problems.push(`${name}: ${name in RETIRED_SETTINGS ? retiredText(name) : 'no such setting'}`);
      } else {
        unknownKeys(value, child, [...path, key]);
      }
    }
  };
  unknownKeys(config, ConfigSchema, []);
  if (problems.length > 0) {
    throw new ConfigError([...new Set(problems)]);
  }
  const valid = config as Config;
  const crossProblems = checkCombinations(valid);
  if (crossProblems.length > 0) {
    throw new ConfigError(crossProblems);
  }
  return deepFreeze(valid);
}

/** Rules across settings that a schema cannot say. */
function checkCombinations(config: Config): string[] {
  const problems: string[] = [];
  const { node, stratum, pool } = config;
  if (node.rpcUrl === undefined && config.chain !== 'regtest') {
    problems.push(
      `node.rpcUrl (HASHWATT_NODE_RPC_URL): required for chain "${config.chain}"; without it hashwatt runs its devchain, which is regtest`,
    );
  }
  if (
    node.rpcUrl !== undefined &&
    node.rpcCookieFile === undefined &&
    (node.rpcUser === undefined || node.rpcPassword === undefined)
  ) {
    problems.push('node.rpcUser and node.rpcPassword, or node.rpcCookieFile: bitcoind needs credentials');
  }
  node.submitNodes.forEach((other, index) => {
    if (
      other.rpcCookieFile === undefined &&
      (other.rpcUser === undefined || other.rpcPassword === undefined)
    ) {
      problems.push(
        `node.submitNodes[${String(index)}] (${other.rpcUrl}): rpcUser and rpcPassword, or rpcCookieFile: bitcoind needs credentials`,
      );
    }
  });
  if (config.chain === 'main' && pool.payoutAddress === undefined) {
    problems.push('pool.payoutAddress (HASHWATT_POOL_PAYOUT_ADDRESS): required on main');
  }
  const tlsParts = [stratum.tlsPort, stratum.tlsCertFile, stratum.tlsKeyFile].filter(
    (part) => part !== undefined,
  ).length;
  if (tlsParts !== 0 && tlsParts !== 3) {
    problems.push('stratum.tlsPort, stratum.tlsCertFile and stratum.tlsKeyFile go together');
  }
  problems.push(...stratumProblems(stratum));
  if (stratum.nodeId + stratum.processes - 1 > 255) {
    problems.push(
      `stratum.nodeId ${String(stratum.nodeId)} + stratum.processes ${String(stratum.processes)} - 1 must stay within 255: each process needs its own node id`,
    );
  }
  const roles = new Set(config.roles);
  if (config.nats.url === undefined && roles.has('stratum') !== roles.has('writer')) {
    problems.push(
      roles.has('stratum')
        ? 'nats.url (HASHWATT_NATS_URL): required for a Stratum node without the writer role: its shares go through NATS JetStream to a writer'
        : 'nats.url (HASHWATT_NATS_URL): required for a writer without the Stratum role: it stores what Stratum nodes publish to NATS JetStream',
    );
  }
  if (roles.size < 3 && node.rpcUrl === undefined) {
    problems.push(
      `roles ${config.roles.join(',')} (HASHWATT_ROLES): node.rpcUrl is required: the nodes of a scaled-out pool share one bitcoind, and each process would otherwise run a devchain of its own`,
    );
  }
  if ((config.admin.email === undefined) !== (config.admin.password === undefined)) {
    problems.push(
      'admin.email and admin.password go together (HASHWATT_ADMIN_EMAIL, HASHWATT_ADMIN_PASSWORD)',
    );
  }
  const { api } = config;
  for (const cap of ['signInAccountMaxDelaySeconds', 'signInAddressMaxDelaySeconds'] as const) {
    if (api.signInFirstDelaySeconds > api[cap]) {
      problems.push(
        `api.signInFirstDelaySeconds ${String(api.signInFirstDelaySeconds)} is above api.${cap} ${String(api[cap])}: the first wait cannot pass the longest`,
      );
    }
  }
  problems.push(...metricsProblems(config.metrics), ...alertsProblems(config.alerts));
  if (stratum.minDifficulty > stratum.maxDifficulty) {
    problems.push(
      `stratum.minDifficulty ${String(stratum.minDifficulty)} is above stratum.maxDifficulty ${String(stratum.maxDifficulty)}`,
    );
  }
  return problems;
}
