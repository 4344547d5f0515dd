import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, configLeaves, configReference, configToEnvironment, loadConfig } from './config.ts';

function problems(environment: Record<string, string>, file?: string): readonly string[] {
  try {
    loadConfig(environment, file);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('runs on defaults alone: the devchain on regtest', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      chain: 'regtest',
      stratum: { port: 3333, extranonce2Size: 8 },
      pool: { payoutMode: 'pool' },
    });
    expect(config.node.rpcUrl).toBeUndefined();
    expect(Object.isFrozen(config.stratum)).toBe(true);
  });

  it('takes HASHWATT_* variables named after the key path, typed', () => {
    const config = loadConfig({
      HASHWATT_STRATUM_PORT: '4444',
      HASHWATT_NODE_LONGPOLL: 'false',
      HASHWATT_STRATUM_PROXY_PROTOCOL_FROM: '10.0.0.1, 10.0.0.2',
      HASHWATT_STRATUM_MIN_DIFFICULTY: '0.00015',
    });
    expect(config.stratum.port).toBe(4444);
    expect(config.node.longpoll).toBe(false);
    expect(config.stratum.proxyProtocolFrom).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(config.stratum.minDifficulty).toBe(0.00015);
  });

  it('reads a JSON file, under the environment', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-config-'));
    const file = path.join(dir, 'pool.json');
    await writeFile(file, JSON.stringify({ stratum: { port: 5555, nodeId: 3 }, pool: { tag: '/farm/' } }));
    const config = loadConfig({ HASHWATT_CONFIG: file, HASHWATT_STRATUM_PORT: '6666' });
    expect(config.stratum).toMatchObject({ port: 6666, nodeId: 3 });
    expect(config.pool.tag).toBe('/farm/');
    await writeFile(file, '{ not json');
    expect(problems({ HASHWATT_CONFIG: file })[0]).toMatch(/pool\.json: .*JSON/);
    await rm(dir, { recursive: true });
  });

  it('names the choices of a setting that is a union of words, as of one that is an enum', () => {
    expect(problems({ HASHWATT_LOG_LEVEL: 'loud', HASHWATT_POOL_PAYOUT_MODE: 'both' })).toEqual([
      'logLevel (HASHWATT_LOG_LEVEL): "loud" must be one of fatal, error, warn, info, debug, trace',
      'pool.payoutMode (HASHWATT_POOL_PAYOUT_MODE): "both" must be one of pool, solo',
    ]);
  });

  it('lists every problem at once, each with its key, variable, value and rule', () => {
    expect(
      problems({
        HASHWATT_STRATUM_PORT: '70000',
        HASHWATT_STRATUM_EXTRANONCE2_SIZE: 'nine',
        HASHWATT_CHAIN: 'mainnet',
        HASHWATT_STRATUM_VERSION_MASK: 'xyz',
        HASHWATT_STRATUM_PORTT: '1',
      }),
    ).toEqual([
      'HASHWATT_STRATUM_PORTT: no such setting (the settings are listed in docs/config.md)',
      'chain (HASHWATT_CHAIN): "mainnet" must be one of main, test, testnet4, signet, regtest',
      'stratum.port (HASHWATT_STRATUM_PORT): "70000" must be <= 65535',
      'stratum.extranonce2Size (HASHWATT_STRATUM_EXTRANONCE2_SIZE): "nine" must be integer',
      'stratum.versionMask (HASHWATT_STRATUM_VERSION_MASK): "xyz" must match pattern "^[0-9a-fA-F]{8}$"',
    ]);
  });

  it('refuses combinations that cannot work', () => {
    expect(problems({ HASHWATT_CHAIN: 'main' })).toEqual([
      'node.rpcUrl (HASHWATT_NODE_RPC_URL): required for chain "main"; without it hashwatt runs its devchain, which is regtest',
      'pool.payoutAddress (HASHWATT_POOL_PAYOUT_ADDRESS): required on main',
    ]);
    expect(problems({ HASHWATT_NODE_RPC_URL: 'http://127.0.0.1:8332', HASHWATT_CHAIN: 'main' })).toEqual([
      'node.rpcUser and node.rpcPassword, or node.rpcCookieFile: bitcoind needs credentials',
      'pool.payoutAddress (HASHWATT_POOL_PAYOUT_ADDRESS): required on main',
    ]);
    // On a test chain the pool may take its address from the node's wallet.
    expect(
      problems({
        HASHWATT_NODE_RPC_URL: 'http://127.0.0.1:18443/wallet/pool',
        HASHWATT_NODE_RPC_USER: 'u',
        HASHWATT_NODE_RPC_PASSWORD: 'p',
      }),
    ).toEqual([]);
    expect(
      problems({ HASHWATT_NODE_SUBMIT_NODES: '[{"rpcUrl":"http://10.0.0.2:8332"},{"rpcUrl":"ftp://x"}]' }),
    ).toEqual(['node.submitNodes.1.rpcUrl: "ftp://x" must match pattern "^https?://"']);
    expect(problems({ HASHWATT_NODE_SUBMIT_NODES: '[{"rpcUrl":"http://10.0.0.2:8332"}]' })).toEqual([
      'node.submitNodes[0] (http://10.0.0.2:8332): rpcUser and rpcPassword, or rpcCookieFile: bitcoind needs credentials',
    ]);
    expect(problems({ HASHWATT_STRATUM_TLS_PORT: '3334' })).toEqual([
      'stratum.tlsPort, stratum.tlsCertFile and stratum.tlsKeyFile go together',
    ]);
  });

  it("takes the pool's public Stratum names, and refuses what cannot go in a URL", () => {
    expect(
      loadConfig({ HASHWATT_STRATUM_PUBLIC_HOSTS: 'eu.pool.example, 203.0.113.9,[2001:db8::7]' }).stratum
        .publicHosts,
    ).toEqual(['eu.pool.example', '203.0.113.9', '[2001:db8::7]']);
    expect(
      problems({
        HASHWATT_STRATUM_PUBLIC_HOSTS: 'pool.example:3333,stratum+tcp://x,2001:db8::7,-bad.example',
      }),
    ).toEqual(
      ['pool.example:3333', 'stratum+tcp://x', '2001:db8::7', '-bad.example'].map(
        (host) =>
          `stratum.publicHosts (HASHWATT_STRATUM_PUBLIC_HOSTS): "${host}" is not a DNS name, an IPv4 address or an IPv6 address in brackets`,
      ),
    );
  });

  it('refuses a Job Declaration Server without a V2 port, or beside other Stratum processes', () => {
    expect(problems({ HASHWATT_STRATUM_JDS_PORT: '3336' })).toEqual([
      'stratum.jdsPort needs stratum.v2Port: declared jobs are mined over Stratum V2',
    ]);
    expect(
      problems({
        HASHWATT_STRATUM_JDS_PORT: '3336',
        HASHWATT_STRATUM_V2_PORT: '3335',
        HASHWATT_STRATUM_PROCESSES: '2',
      }),
    ).toEqual([
      'stratum.jdsPort needs stratum.processes 1, not 2: a declared job is known only to the process that accepted it',
    ]);
    expect(problems({ HASHWATT_STRATUM_JDS_PORT: '3336', HASHWATT_STRATUM_V2_PORT: '3335' })).toEqual([]);
  });

  it('says what replaced the account lock settings, and keeps the first sign-in wait under the longest', async () => {
    expect(problems({ HASHWATT_API_MAX_FAILED_LOGINS: '5', HASHWATT_API_LOCK_MINUTES: '15' })).toEqual([
      'HASHWATT_API_MAX_FAILED_LOGINS: no longer a setting: accounts are no longer locked by wrong passwords; sign-ins are slowed instead: see api.signInAccountFailures and api.signInAddressFailures',
      'HASHWATT_API_LOCK_MINUTES: no longer a setting: accounts are no longer locked by wrong passwords; sign-ins wait instead: see api.signInAccountMaxDelaySeconds and api.signInAddressMaxDelaySeconds',
    ]);
    const folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-config-'));
    try {
      const file = path.join(folder, 'config.json');
      await writeFile(file, JSON.stringify({ api: { maxFailedLogins: 5 } }));
      expect(problems({}, file)).toEqual([
        'api.maxFailedLogins: no longer a setting: accounts are no longer locked by wrong passwords; sign-ins are slowed instead: see api.signInAccountFailures and api.signInAddressFailures',
      ]);
    } finally {
      await rm(folder, { recursive: true });
    }
    expect(
      problems({
        HASHWATT_API_SIGN_IN_FIRST_DELAY_SECONDS: '90',
        HASHWATT_API_SIGN_IN_ACCOUNT_MAX_DELAY_SECONDS: '60',
      }),
    ).toEqual([
      'api.signInFirstDelaySeconds 90 is above api.signInAccountMaxDelaySeconds 60: the first wait cannot pass the longest',
    ]);
    expect(problems({ HASHWATT_API_SESSION_IDLE_MINUTES: '0' })).toEqual([
      'api.sessionIdleMinutes (HASHWATT_API_SESSION_IDLE_MINUTES): "0" must be >= 1',
    ]);
  });

  it('refuses alert ranges upside down, and takes them the right way up', () => {
    expect(
      problems({
        HASHWATT_ALERTS_MIN_CHIP_TEMP_C: '60',
        HASHWATT_ALERTS_MAX_CHIP_TEMP_C: '50',
        HASHWATT_ALERTS_MAX_FAN_RPM: '900',
      }),
    ).toEqual([
      'alerts.minChipTempC 60 and alerts.maxChipTempC 50: The lowest chip temperature (60 °C) is above the highest (50 °C).',
      'alerts.minFanRpm 1000 and alerts.maxFanRpm 900: The slowest fan speed (1000 rpm) is above the fastest (900 rpm).',
    ]);
    // The fans' upper end off (0, the default) bounds nothing.
    expect(problems({ HASHWATT_ALERTS_MIN_CHIP_TEMP_C: '-5', HASHWATT_ALERTS_MAX_FAN_RPM: '0' })).toEqual([]);
  });

  it('takes roles, and refuses a scaled-out process that could not reach its peers', () => {
    const node = {
      HASHWATT_NODE_RPC_URL: 'http://127.0.0.1:18443',
      HASHWATT_NODE_RPC_USER: 'u',
      HASHWATT_NODE_RPC_PASSWORD: 'p',
      HASHWATT_POOL_PAYOUT_ADDRESS: 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t',
    };
    expect(loadConfig({}).roles).toEqual(['stratum', 'writer', 'api']);
    const stratumNode = loadConfig({
      ...node,
      HASHWATT_ROLES: 'stratum',
      HASHWATT_NATS_URL: 'nats://10.0.0.5:4222',
    });
    expect(stratumNode.roles).toEqual(['stratum']);
    expect(stratumNode.nats).toMatchObject({ stream: 'HASHWATT_LEDGER', writerName: 'hashwatt-writer' });
    expect(problems({ ...node, HASHWATT_ROLES: 'stratum' })).toEqual([
      'nats.url (HASHWATT_NATS_URL): required for a Stratum node without the writer role: its shares go through NATS JetStream to a writer',
    ]);
    expect(problems({ ...node, HASHWATT_ROLES: 'writer,api' })).toEqual([
      'nats.url (HASHWATT_NATS_URL): required for a writer without the Stratum role: it stores what Stratum nodes publish to NATS JetStream',
    ]);
    expect(
      problems({ HASHWATT_ROLES: 'stratum,writer', HASHWATT_NATS_URL: 'nats://127.0.0.1:4222' }),
    ).toEqual([
      'roles stratum,writer (HASHWATT_ROLES): node.rpcUrl is required: the nodes of a scaled-out pool share one bitcoind, and each process would otherwise run a devchain of its own',
    ]);
    expect(problems({ HASHWATT_ROLES: 'stratum,miner' })).toEqual([
      'roles (HASHWATT_ROLES): "miner" must be one of stratum, writer, api',
    ]);
    expect(problems({ HASHWATT_ROLES: 'api,api' }).join()).toMatch(/^roles/);
    expect(problems({ HASHWATT_NATS_URL: 'http://127.0.0.1:4222' }).join()).toMatch(
      /^nats\.url \(HASHWATT_NATS_URL\)/,
    );
  });

  it('serves metrics beyond loopback only with a bearer token', () => {
    expect(problems({ HASHWATT_METRICS_PORT: '9464' })).toEqual([]);
    expect(problems({ HASHWATT_METRICS_PORT: '9464', HASHWATT_METRICS_HOST: '0.0.0.0' })).toEqual([
      expect.stringMatching(/^metrics\.host 0\.0\.0\.0: .*metrics\.tokenFile/),
    ]);
    expect(
      problems({
        HASHWATT_METRICS_PORT: '9464',
        HASHWATT_METRICS_HOST: '0.0.0.0',
        HASHWATT_METRICS_TOKEN_FILE: '/run/secrets/metrics_token',
      }),
    ).toEqual([]);
    // No listener, nothing to protect.
    expect(problems({ HASHWATT_METRICS_HOST: '0.0.0.0' })).toEqual([]);
  });

  it('turns a configuration into variables that load back to it', () => {
    const config = loadConfig({
      HASHWATT_STRATUM_PORT: '4444',
      HASHWATT_STRATUM_PROXY_PROTOCOL_FROM: '10.0.0.1,10.0.0.2',
    });
    expect(loadConfig(configToEnvironment(config))).toEqual(config);
  });

  it('takes a list of price sources as JSON, round trip included, and names a bad one', () => {
    const source = {
      name: 'tracker',
      url: 'https://rates.example/usd.json',
      path: 'data.usd.sell',
      base: 'USD',
      quote: 'IRR',
      rateType: 'free_market',
      multiplier: 10,
    };
    const config = loadConfig({ HASHWATT_PRICES_JSON: JSON.stringify([source]) });
    expect(config.prices.json).toEqual([source]);
    expect(loadConfig(configToEnvironment(config))).toEqual(config);
    expect(problems({ HASHWATT_PRICES_JSON: JSON.stringify([{ ...source, quote: 'rial' }]) })).toEqual([
      expect.stringMatching(/^prices\.json\.0\.quote: "rial" must match pattern/),
    ]);
    expect(problems({ HASHWATT_PRICES_CBR_URL: 'cbr.ru' })[0]).toMatch(
      /^prices\.cbrUrl \(HASHWATT_PRICES_CBR_URL\): "cbr\.ru"/,
    );
  });

  it('names every setting after its key path', () => {
    const paths = configLeaves().map((leaf) => leaf.path.join('.'));
    expect(paths).toContain('stratum.maxConnectionsPerAddress');
    expect(new Set(paths).size).toBe(paths.length);
  });
});

describe('docs/config.md', () => {
  it('lists every setting as the schema has it (pnpm write-docs writes it)', () => {
    const written = readFileSync(new URL('../../docs/config.md', import.meta.url), 'utf8');
    expect(written).toBe(configReference());
    for (const leaf of configLeaves()) {
      expect(written).toContain(`| \`${leaf.path.join('.')}\` |`);
    }
  });
});

describe('secrets', () => {
  it('a problem with a password never shows the value given', () => {
    const found = problems({
      HASHWATT_ADMIN_EMAIL: 'admin@example.org',
      HASHWATT_ADMIN_PASSWORD: 'hunter2',
      HASHWATT_NODE_RPC_URL: 'http://127.0.0.1:8332',
      HASHWATT_NODE_RPC_USER: 'pool',
      HASHWATT_NODE_RPC_PASSWORD: '',
      HASHWATT_POOL_PAYOUT_ADDRESS: 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t',
    });
    expect(found).toContain(
      'admin.password (HASHWATT_ADMIN_PASSWORD): (the value given, not shown) must not have fewer than 12 characters',
    );
    expect(
      found.some((problem) =>
        problem.startsWith('node.rpcPassword (HASHWATT_NODE_RPC_PASSWORD): (the value given, not shown)'),
      ),
    ).toBe(true);
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('admin.email and admin.password go together', () => {
    expect(problems({ HASHWATT_ADMIN_EMAIL: 'admin@example.org' })).toEqual([
      'admin.email and admin.password go together (HASHWATT_ADMIN_EMAIL, HASHWATT_ADMIN_PASSWORD)',
    ]);
  });
});
