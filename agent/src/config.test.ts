import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentConfig } from './config.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hashwatt-agent-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(content: unknown): Promise<string> {
  const path = join(dir, `${String(Math.random()).slice(2)}.json`);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof AgentConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('the configuration was accepted');
}

const KEY = 'hwk_abcdefghijklmnop';

describe('loadAgentConfig', () => {
  it('fills every default around what the file says, the key from the environment', async () => {
    const path = await file({
      server: { url: 'https://pool.example.org' },
      scan: { ranges: ['10.0.4.0/22'] },
    });
    const config = loadAgentConfig({ HASHWATT_AGENT_API_KEY: KEY }, path);
    expect(config.server).toEqual({ url: 'https://pool.example.org', apiKey: KEY });
    expect(config.scan).toMatchObject({ ranges: ['10.0.4.0/22'], rpcPort: 4028, concurrency: 128 });
    expect(config.poll.intervalSeconds).toBe(30);
    expect(config.queue).toEqual({ dir: './agent-data', maxMegabytes: 512 });
  });

  it('lists every problem at once, each with its key, the value and the rule, and never a secret', async () => {
    const path = await file({
      server: { url: 'pool.example.org', apiKey: 'secret-not-a-key' },
      scan: { ranges: ['10.0.4.0/33'], concurrency: 0 },
      devices: [{ host: '10.0.4.17', driver: 'antminor' }],
      meters: [{ name: 'hall', host: '10.0.9.2', model: 'generic' }],
      poll: { intervalSecs: 30 },
    });
    const problems = problemsOf(() => loadAgentConfig({}, path));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^server\.url: "pool\.example\.org" /),
        expect.stringMatching(/^server\.apiKey: \(the value given, not shown\)/),
        expect.stringMatching(/^scan\.concurrency: 0 /),
        expect.stringMatching(/^devices\.0\.driver: "antminor" must be one of .*antminer/),
        'poll.intervalSecs: no such setting',
      ]) as unknown,
    );
    expect(problems.join('\n')).not.toContain('secret-not-a-key');
  });

  it('checks what the schema cannot: ranges, generic meters, repeated names, something to watch', async () => {
    const base = { server: { url: 'http://127.0.0.1:8080', apiKey: KEY } };
    expect(problemsOf(() => loadAgentConfig({}, undefined))).toEqual([
      'server.url: missing (or HASHWATT_AGENT_SERVER_URL)',
      "server.apiKey: missing (or HASHWATT_AGENT_API_KEY; an operator makes one in the farm's settings)",
    ]);
    const ranges = await file({ ...base, scan: { ranges: ['farm-a'] } });
    expect(problemsOf(() => loadAgentConfig({}, ranges))).toEqual([
      'scan.ranges.0: "farm-a" is not an IPv4 address or CIDR range (e.g. 10.0.4.0/22)',
    ]);
    const meters = await file({
      ...base,
      meters: [
        { name: 'a', host: 'x', model: 'generic' },
        { name: 'a', host: 'y', model: 'sdm630' },
      ],
    });
    expect(problemsOf(() => loadAgentConfig({}, meters))).toEqual([
      'meters.0.registers: a generic meter needs registers.powerW and registers.energyWh',
      'meters: the name "a" is used twice; each meter needs its own',
    ]);
    const idle = await file(base);
    expect(problemsOf(() => loadAgentConfig({}, idle))).toEqual([
      'scan.ranges, devices, meters: nothing to watch; give ranges to scan, devices, or meters',
    ]);
  });

  it("checks each meter's settings against its protocol, and never shows a meter's password", async () => {
    const base = { server: { url: 'http://127.0.0.1:8080', apiKey: KEY } };
    const gateway = { protocol: 'mercury230', port: 4001, address: 7 };
    const wrong = await file({
      ...base,
      meters: [
        { name: 'a', protocol: 'mercury230', host: 'gw-1', address: 'x', password: '12345', unitId: 3 },
        { name: 'b', protocol: 'iec62056-21', host: 'gw-2', port: 4001, address: 5, accessLevel: 2 },
        { name: 'c', ...gateway, host: 'gw-3', passwordEnv: 'NOT_SET' },
        { name: 'd', ...gateway, host: 'gw-4', tariffs: { 5: 'x' } },
        { name: 'e', host: 'gw-5' },
        { name: 'f', ...gateway, host: 'gw-6', address: 300 },
        { name: 'g', ...gateway, host: 'gw-7', passwordFile: '/nonexistent/pw' },
      ],
    });
    expect(problemsOf(() => loadAgentConfig({}, wrong))).toEqual([
      'meters.0.unitId: not a setting of mercury230 meters',
      "meters.0.port: missing; give the TCP port of the meter's gateway",
      'meters.0.address: "x"; the meter\'s network address, 1–254 (0: broadcast)',
      'meters.0.password: (the value given, not shown) must be 6 digits',
      'meters.1.accessLevel: not a setting of iec62056-21 meters',
      'meters.1.address: 5 must be a string (the device address in /?…!)',
      'meters.2.passwordEnv: the environment variable NOT_SET is not set',
      'meters.3.tariffs.5: a Mercury 230 has tariffs 1–4',
      'meters.4.model: missing; one of sdm630, pm5xxx, generic',
      "meters.5.address: 300; the meter's network address, 1–254 (0: broadcast)",
      expect.stringMatching(/^meters\.6\.passwordFile: ENOENT/),
    ]);
    const secret = await file({
      ...base,
      meters: [
        { name: 'a', protocol: 'mercury230', host: 'gw', port: 4001, address: 1, password: 'topsecret' },
      ],
    });
    expect(problemsOf(() => loadAgentConfig({}, secret)).join('\n')).not.toContain('topsecret');
    const passwordPath = join(dir, 'mercury-password');
    await writeFile(passwordPath, '654321\n');
    const fromFile = loadAgentConfig(
      {},
      await file({
        ...base,
        meters: [
          {
            name: 'a',
            protocol: 'mercury230',
            host: 'gw',
            port: 4001,
            address: 1,
            passwordFile: passwordPath,
          },
        ],
      }),
    );
    expect(fromFile.meters[0]).toMatchObject({ password: '654321', transformerRatio: 1, port: 4001 });
  });

  it('names a file that is missing or not JSON', async () => {
    expect(problemsOf(() => loadAgentConfig({}, join(dir, 'missing.json')))[0]).toMatch(
      /missing\.json: ENOENT/,
    );
    expect(problemsOf(() => loadAgentConfig({}, '')).length).toBe(1);
    const broken = await file('{"server": ');
    expect(problemsOf(() => loadAgentConfig({}, broken))[0]).toMatch(/JSON/);
  });
});
