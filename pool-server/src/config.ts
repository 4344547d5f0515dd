import { readFileSync } from 'node:fs';
import Type, { type Static, type TSchema } from 'typebox';
import Value from 'typebox/value';
import { CHAINS } from './work/address.ts';

/**
 * Every setting of the pool, with its default. Sources, later ones winning: these
 * defaults, a JSON file (HASHWATT_CONFIG or --config), then HASHWATT_* environment
 * variables named after the key path (stratum.port -> HASHWATT_STRATUM_PORT).
 */
export const ConfigSchema = Type.Object({
  chain: Type.Enum(CHAINS, {
    default: 'regtest',
    description: 'The chain mined, as bitcoind names it: main, test, testnet4, signet or regtest.',
  }),
  dataDir: Type.String({
    default: './data',
    minLength: 1,
    description: 'Where the pool keeps its files (found blocks, spool).',
  }),
  stopTimeoutSeconds: Type.Integer({
    default: 30,
    minimum: 1,
    maximum: 600,
    description:
      'On SIGTERM or Ctrl-C the pool stops within this long (reconnect sent, shares written, database closed); past it, it exits anyway: what was not written is in its spool.',
  }),
  logLevel: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
    ],
    { default: 'info' },
  ),
  roles: Type.Array(Type.Union([Type.Literal('stratum'), Type.Literal('writer'), Type.Literal('api')]), {
    default: ['stratum', 'writer', 'api'],
    minItems: 1,
    uniqueItems: true,
    description:
      'What this process does: stratum (accepts miners, validates shares), writer (stores shares, runs accounting), api (HTTP API and dashboard). One process runs all three by default; scaled out, Stratum nodes and writers meet through NATS (nats.url).',
  }),
  nats: Type.Object(
    {
      url: Type.Optional(
        Type.String({
          pattern: '^nats://',
          description:
            'NATS server with JetStream. Set: accepted shares and found blocks travel through its stream from Stratum nodes to writers.',
        }),
      ),
      stream: Type.String({
        default: 'HASHWATT_LEDGER',
        pattern: '^[A-Za-z0-9_-]{1,64}$',
        description: 'The JetStream stream of share batches, found blocks and network facts.',
      }),
      subjectPrefix: Type.String({
        default: 'hashwatt.ledger',
        pattern: '^[a-z0-9_-]+(\\.[a-z0-9_-]+)*$',
        description: 'Its subjects are <subjectPrefix>.<node id>.<kind>.',
      }),
      duplicateWindowSeconds: Type.Integer({
        default: 600,
        minimum: 10,
        maximum: 86_400,
        description:
          'A batch or block published again within this long is dropped by JetStream; after it, the writer still stores it once by its id.',
      }),
      nodeLeaseSeconds: Type.Integer({
        default: 30,
        minimum: 3,
        maximum: 600,
        description:
          "A Stratum node's claim on its node id lapses this long after the node stopped renewing it (it renews every third of it).",
      }),
      writerName: Type.String({
        default: 'hashwatt-writer',
        pattern: '^[A-Za-z0-9_-]{1,64}$',
        description: 'The durable consumer the writers pull from: writers with one name share the work.',
      }),
    },
    { default: {} },
  ),
  node: Type.Object(
    {
      rpcUrl: Type.Optional(
        Type.String({
          pattern: '^https?://',
          description:
            'bitcoind JSON-RPC URL. With several wallets loaded, end it with /wallet/<name> (the wallet payouts spend from). Unset: run the built-in devchain (development only).',
        }),
      ),
      rpcUser: Type.Optional(Type.String({ minLength: 1 })),
      rpcPassword: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
      rpcCookieFile: Type.Optional(
        Type.String({ minLength: 1, description: "bitcoind's .cookie file, instead of user and password." }),
      ),
      zmqUrl: Type.Optional(
        Type.String({ pattern: '^tcp://', description: "bitcoind's -zmqpubhashblock endpoint." }),
      ),
      rpcTimeoutMs: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000 }),
      pollIntervalMs: Type.Integer({
        default: 500,
        minimum: 50,
        maximum: 10_000,
        description: 'getbestblockhash polling: a new block is seen within this.',
      }),
      refreshIntervalMs: Type.Integer({
        default: 30_000,
        minimum: 1_000,
        maximum: 600_000,
        description: 'A fresh template this often, for new transactions.',
      }),
      longpoll: Type.Boolean({
        default: true,
        description:
          "[BIP22] hold one getblocktemplate longpoll per host (shared by its Stratum processes); it takes one of the node's -rpcthreads for as long as it is held.",
      }),
      rpcConcurrency: Type.Integer({
        default: 2,
        minimum: 1,
        maximum: 16,
        description:
          "Calls a process has in flight to the node at once besides the longpoll and block submissions, which have connections of their own; keep the host's total under the node's -rpcthreads.",
      }),
      submitNodes: Type.Array(
        Type.Object(
          {
            rpcUrl: Type.String({ pattern: '^https?://' }),
            rpcUser: Type.Optional(Type.String({ minLength: 1 })),
            rpcPassword: Type.Optional(Type.String({ minLength: 1, writeOnly: true })),
            rpcCookieFile: Type.Optional(Type.String({ minLength: 1 })),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          description:
            'Other bitcoind nodes every found block is offered to as well ({rpcUrl, rpcUser, rpcPassword} or {rpcUrl, rpcCookieFile}; as JSON in the variable), so it reaches the network when the main node cannot take it.',
        },
      ),
    },
    { default: {} },
  ),
  database: Type.Object(
    {
      url: Type.Optional(
        Type.String({
          pattern: '^postgres(ql)?://',
          description:
            'PostgreSQL (or TimescaleDB) URL. Unset: an embedded PostgreSQL keeps its data in dataDir/postgres.',
        }),
      ),
      embeddedPort: Type.Integer({ default: 54320, minimum: 1, maximum: 65535 }),
    },
    { default: {} },
  ),
  ledger: Type.Object(
    {
      flushIntervalMs: Type.Integer({
        default: 200,
        minimum: 10,
        maximum: 60_000,
        description: 'A batch of shares is sealed and stored this long after the one before it…',
      }),
      maxBatchShares: Type.Integer({
        default: 10_000,
        minimum: 1,
        maximum: 1_000_000,
        description:
          '…or as soon as it holds this many. While the batches before it are still being stored, a batch keeps filling, to four times this many, and is sealed when the store is free.',
      }),
      fsync: Type.Enum(['always', 'interval', 'never'], {
        default: 'interval',
        description:
          "When the share journal is flushed to disk: at every commit, before the replies (always); every fsyncIntervalMs and when a batch's file is closed, off the event loop (interval); or when the OS decides (never).",
      }),
      fsyncIntervalMs: Type.Integer({ default: 1_000, minimum: 10, maximum: 60_000 }),
      retryIntervalMs: Type.Integer({
        default: 2_000,
        minimum: 10,
        maximum: 600_000,
        description:
          'While the database is away, try it this often; while a share or block journal cannot be written (a full disk), probe or write it again this often.',
      }),
      rollupFoldSeconds: Type.Integer({
        default: 5,
        minimum: 1,
        maximum: 3_600,
        description:
          'Stored batches append rollup increments; they are folded into the minute and hour rollups this often.',
      }),
    },
    { default: {} },
  ),
  devchain: Type.Object(
    {
      rpcPort: Type.Integer({ default: 18443, minimum: 0, maximum: 65535 }),
      zmqPort: Type.Integer({ default: 28332, minimum: 0, maximum: 65535 }),
      difficulty: Type.Number({
        default: 0.01,
        exclusiveMinimum: 0,
        description: 'Network difficulty of the devchain.',
      }),
      networkBlockSeconds: Type.Integer({
        default: 600,
        minimum: 0,
        description: 'A competing network block this often; 0 for none.',
      }),
      transactionSeconds: Type.Integer({ default: 15, minimum: 0 }),
      mempoolSize: Type.Integer({ default: 30, minimum: 0, maximum: 5_000 }),
    },
    { default: {} },
  ),
  pool: Type.Object(
    {
      payoutAddress: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            "The pool address the coinbase pays (fees in SOLO mode); with payouts on, an address of the node's wallet. Required on main; unset on a test chain: a new address of the node's wallet at each start.",
        }),
      ),
      payoutMode: Type.Union([Type.Literal('pool'), Type.Literal('solo')], { default: 'pool' }),
      soloFeePercent: Type.Number({ default: 1, minimum: 0, maximum: 99.99 }),
      scheme: Type.Enum(['pplns', 'pps', 'fpps'], {
        default: 'pplns',
        description:
          'How pool (not SOLO) miners are paid: PPLNS shares found blocks; PPS pays each share its expected subsidy at once; FPPS the subsidy and fees.',
      }),
      feePercent: Type.Number({ default: 1, minimum: 0, maximum: 99.99, description: 'The pool fee.' }),
      pplnsWindowFactor: Type.Number({
        default: 2,
        minimum: 0.01,
        maximum: 100,
        description: 'PPLNS window: the latest shares worth this many times the network difficulty.',
      }),
      tag: Type.String({ default: '/hashwatt/', maxLength: 40, description: 'Carried in every coinbase.' }),
    },
    { default: {} },
  ),
  payouts: Type.Object(
    {
      enabled: Type.Boolean({
        default: true,
        description: "Pay miners through the node's wallet (sendmany).",
      }),
      thresholdBtc: Type.Number({
        default: 0.01,
        minimum: 0.00001,
        maximum: 21_000_000,
        description: 'A miner is paid once the payable balance reaches this.',
      }),
      intervalSeconds: Type.Integer({ default: 3_600, minimum: 1, description: 'Payouts run this often.' }),
      maxRecipients: Type.Integer({
        default: 500,
        minimum: 1,
        maximum: 2_000,
        description: 'Recipients of one sendmany.',
      }),
      maturityConfirmations: Type.Integer({
        default: 101,
        minimum: 1,
        maximum: 1_000,
        description:
          "A found block is pending until it has this many confirmations: 101 is when Bitcoin Core's wallet spends a coinbase (COINBASE_MATURITY 100 blocks on top of it).",
      }),
      maturityCheckSeconds: Type.Integer({
        default: 30,
        minimum: 1,
        maximum: 3_600,
        description: 'Pending blocks are checked against the node this often.',
      }),
    },
    { default: {} },
  ),
  api: Type.Object(
    {
      enabled: Type.Boolean({
        default: true,
        description: 'Serve the HTTP API (and, later, the dashboard).',
      }),
      host: Type.String({
        default: '127.0.0.1',
        description: 'The API listens here: loopback unless a TLS proxy is in front.',
      }),
      port: Type.Integer({ default: 8080, minimum: 0, maximum: 65535 }),
      secureCookies: Type.Boolean({
        default: true,
        description: 'Session cookies over HTTPS only (browsers treat http://localhost as secure).',
      }),
      sessionHours: Type.Integer({
        default: 12,
        minimum: 1,
        maximum: 720,
        description: 'A session ends this long after sign-in, used or not.',
      }),
      sessionIdleMinutes: Type.Integer({
        default: 30,
        minimum: 1,
        maximum: 1_440,
        description: 'A session unused for this long ends (its last use is recorded at most once a minute).',
      }),
      loginPerMinute: Type.Integer({
        default: 10,
        minimum: 1,
        maximum: 1_000,
        description: 'Sign-in attempts per client address and minute.',
      }),
      signInAccountFailures: Type.Integer({
        default: 5,
        minimum: 1,
        maximum: 100,
        description:
          "Wrong passwords for one account, from addresses it has not signed in from lately, before each further attempt waits (doubling up to api.signInAccountMaxDelaySeconds). There is no lock: from an address it signed in from lately, the account's own user is never made to wait by others' failures.",
      }),
      signInAddressFailures: Type.Integer({
        default: 20,
        minimum: 1,
        maximum: 1_000,
        description:
          'Wrong passwords from one client address, for any accounts, before each further attempt from it waits (doubling up to api.signInAddressMaxDelaySeconds).',
      }),
      signInFirstDelaySeconds: Type.Integer({
        default: 1,
        minimum: 1,
        maximum: 3_600,
        description:
          'The first wait once a sign-in gate has had its free failures; each further failure doubles it.',
      }),
      signInAccountMaxDelaySeconds: Type.Integer({
        default: 60,
        minimum: 1,
        maximum: 3_600,
        description:
          "The longest wait the account's gate imposes: how long a stranger's failures can keep the real user, at a new address, from trying.",
      }),
      signInAddressMaxDelaySeconds: Type.Integer({
        default: 900,
        minimum: 1,
        maximum: 86_400,
        description: "The longest wait an address's gate imposes on the address that failed.",
      }),
      signInKnownAddressDays: Type.Integer({
        default: 90,
        minimum: 1,
        maximum: 3_650,
        description: "An address a user signed in from within this many days skips the account's gate.",
      }),
      trustProxy: Type.Array(Type.String(), {
        default: [],
        description: 'Reverse proxies whose X-Forwarded-For is believed.',
      }),
      dashboardDir: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            "The dashboard's build, served at /. Unset: dashboard/dist of this checkout when it has been built.",
        }),
      ),
      liveIntervalSeconds: Type.Integer({
        default: 5,
        minimum: 1,
        maximum: 300,
        description: 'Live updates (Server-Sent Events) are sent this often.',
      }),
      bodyLimitBytes: Type.Integer({
        default: 64 * 1024,
        minimum: 1_024,
        maximum: 16 * 1024 * 1024,
        description:
          'Largest request body (bytes) of a route that sets none of its own: sign-in and every form the dashboard sends. A larger one is refused with 413 before it is read.',
      }),
      agentBodyLimitBytes: Type.Integer({
        default: 4 * 1024 * 1024,
        minimum: 64 * 1024,
        maximum: 64 * 1024 * 1024,
        description:
          "Largest telemetry batch (bytes) an agent may post; agents split bigger batches below it. Each batch in flight is held and parsed whole, so keep it a few MiB: it bounds the API's memory under hostile or broken agents.",
      }),
      agentRequestsPerMinute: Type.Integer({
        default: 120,
        minimum: 1,
        maximum: 100_000,
        description:
          'Requests per farm API key and minute on each agent route; past it, 429 with Retry-After. An agent posts a batch per poll and asks for commands every few seconds; one catching up after an outage waits for Retry-After.',
      }),
      requestsPerMinute: Type.Integer({
        default: 600,
        minimum: 1,
        maximum: 1_000_000,
        description:
          'Requests per client address and minute on the other API routes (sign-in and report issuing have their own limits); past it, 429 with Retry-After. Sized for several dashboards behind one address: a page polls each figure once a minute and holds one live stream.',
      }),
    },
    { default: {} },
  ),
  admin: Type.Object(
    {
      email: Type.Optional(
        Type.String({
          format: 'email',
          description: 'With admin.password: the first admin, created at start when there is none.',
        }),
      ),
      password: Type.Optional(
        Type.String({
          minLength: 12,
          maxLength: 1_024,
          writeOnly: true,
          description: 'Never logged; only its hash is stored.',
        }),
      ),
    },
    { default: {} },
  ),
  farms: Type.Object(
    {
      hashrateGapAlertPercent: Type.Number({
        default: 10,
        exclusiveMinimum: 0,
        maximum: 100,
        description:
          "A device whose hashrate over the last hour and its pool worker's measured hashrate differ by more than this (%) is flagged.",
      }),
      feeWindowBlocks: Type.Integer({
        default: 144,
        minimum: 1,
        maximum: 10_000,
        description:
          'Hashprice averages the fees per block over this many heights (Luxor: 144, about a day).',
      }),
    },
    { default: {} },
  ),
  prices: Type.Object(
    {
      intervalMinutes: Type.Integer({
        default: 60,
        minimum: 1,
        maximum: 1_440,
        description: 'The price sources below are read this often.',
      }),
      mempoolUrl: Type.Optional(
        Type.String({
          pattern: '^https?://',
          description:
            'BTC in USD, EUR and five more from a mempool instance (https://mempool.space). Unset: not read.',
        }),
      ),
      cbrUrl: Type.Optional(
        Type.String({
          pattern: '^https?://',
          description:
            "The Bank of Russia's official rates, RUB per currency (https://www.cbr.ru). Unset: not read.",
        }),
      ),
      json: Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 50 }),
            url: Type.String({ pattern: '^https?://' }),
            path: Type.String({ minLength: 1, maxLength: 200 }),
            base: Type.String({ pattern: '^[A-Z]{3,5}$' }),
            quote: Type.String({ pattern: '^[A-Z]{3,5}$' }),
            rateType: Type.Enum(['market', 'official', 'sana', 'nima', 'free_market']),
            multiplier: Type.Number({ default: 1, exclusiveMinimum: 0 }),
          },
          { additionalProperties: false },
        ),
        {
          default: [],
          description:
            'Rates read as one number at a path in a JSON body ({name, url, path, base, quote, rateType, multiplier}); as JSON in the variable. For the rates no source is settled for, such as the free-market rial.',
        },
      ),
    },
    { default: {} },
  ),
  demo: Type.Object(
    {
      enabled: Type.Enum(['auto', 'on', 'off'], {
        default: 'auto',
        description:
          'The demo farm (CPU miners behind emulated Antminers, a meter, the farm agent, demo logins). auto: on with the devchain and the embedded database only.',
      }),
      rigs: Type.Integer({ default: 3, minimum: 1, maximum: 20, description: 'Demo miners.' }),
      hashesPerSecond: Type.Integer({
        default: 300_000,
        minimum: 1_000,
        maximum: 50_000_000,
        description: 'What the demo miners hash together, at most: they leave the CPU to the pool.',
      }),
      shareDifficulty: Type.Number({
        default: 0.0005,
        exclusiveMinimum: 0,
        description: "The demo miners' share difficulty.",
      }),
    },
    { default: {} },
  ),
  reports: Type.Object(
    {
      signingKeyFile: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            'The Ed25519 private key (PKCS#8 PEM) that signs regulator reports. Unset: dataDir/report-signing-key.pem, made on first start.',
        }),
      ),
    },
    { default: {} },
  ),
  stratum: Type.Object(
    {
      host: Type.String({ default: '0.0.0.0' }),
      port: Type.Integer({ default: 3333, minimum: 0, maximum: 65535 }),
      tlsPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
      soloPort: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 65535,
          description: 'A second plain port whose miners mine SOLO (their coinbase pays their address).',
        }),
      ),
      tlsCertFile: Type.Optional(Type.String({ minLength: 1 })),
      tlsKeyFile: Type.Optional(Type.String({ minLength: 1 })),
      proxyProtocolFrom: Type.Array(Type.String(), {
        default: [],
        description: 'Load balancers whose PROXY protocol header is trusted.',
      }),
      nodeId: Type.Integer({
        default: 0,
        minimum: 0,
        maximum: 255,
        description: 'High byte of every extranonce1: unique per Stratum node.',
      }),
      processes: Type.Integer({
        default: 1,
        minimum: 1,
        maximum: 64,
        description:
          'Stratum processes sharing the port, each with node id nodeId + its index: more cores, more connections.',
      }),
      extranonce2Size: Type.Integer({ default: 8, minimum: 2, maximum: 8 }),
      versionMask: Type.String({ default: '1fffe000', pattern: '^[0-9a-fA-F]{8}$' }),
      maxConnections: Type.Integer({ default: 100_000, minimum: 1 }),
      maxConnectionsPerAddress: Type.Integer({ default: 5_000, minimum: 1 }),
      maxWorkersPerConnection: Type.Integer({ default: 64, minimum: 1 }),
      idleTimeoutSeconds: Type.Integer({ default: 600, minimum: 5 }),
      lineTimeoutSeconds: Type.Integer({
        default: 30,
        minimum: 1,
        maximum: 600,
        description:
          'A line begun must end (newline) within this long: a slow-loris peer trickling bytes is cut off and penalized.',
      }),
      drainTimeoutSeconds: Type.Integer({
        default: 10,
        minimum: 1,
        maximum: 600,
        description: 'A miner that does not read what the pool sends for this long is dropped.',
      }),
      maxLineBytes: Type.Integer({ default: 16_384, minimum: 1_024, maximum: 1_048_576 }),
      targetShareSeconds: Type.Number({ default: 10, minimum: 1, maximum: 600 }),
      vardiffRetargetSeconds: Type.Integer({
        default: 60,
        minimum: 1,
        maximum: 3_600,
        description: 'A quiet miner is not lowered before this much time has passed.',
      }),
      minDifficulty: Type.Number({ default: 0.0001, exclusiveMinimum: 0 }),
      maxDifficulty: Type.Number({ default: 2 ** 48, exclusiveMinimum: 0 }),
      startDifficulty: Type.Number({ default: 1024, exclusiveMinimum: 0 }),
      banThreshold: Type.Integer({ default: 100, minimum: 1 }),
      banSeconds: Type.Integer({ default: 600, minimum: 1 }),
    },
    { default: {} },
  ),
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
  if (stratum.minDifficulty > stratum.maxDifficulty) {
    problems.push(
      `stratum.minDifficulty ${String(stratum.minDifficulty)} is above stratum.maxDifficulty ${String(stratum.maxDifficulty)}`,
    );
  }
  return problems;
}
