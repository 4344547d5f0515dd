// Runs `hashwatt-agent`'s commands in this process as the program runs them (main of
// agent/src/cli.ts, what it writes kept), against an emulated miner on a loopback address
// and against servers that are down or refuse; and the program itself as a child process,
// for what only a process shows: its exit status and its two output streams.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.ts';
import { startCgminerEmulator, type RunningEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator, type RunningHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { repliesFrom } from '../fixtures.ts';

const BIN = fileURLToPath(new URL('../../bin/hashwatt-agent.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `hashwatt-agent args` run in this process, with only `env` as its environment. */
async function agent(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const written = { stdout: '', stderr: '' };
  const spies = (['stdout', 'stderr'] as const).map((name) =>
    vi.spyOn(process[name], 'write').mockImplementation((chunk: string | Uint8Array) => {
      written[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    }),
  );
  try {
    return { code: await main(args, env), ...written };
  } finally {
    for (const spy of spies) {
      spy.mockRestore();
    }
  }
}

/** The program, `node bin/hashwatt-agent.js args`, as a child process. */
function program(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // Only what node needs: no HASHWATT_AGENT_* of the test's environment reaches the agent.
      { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '' } },
      (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
let configFile: string;
let miner: RunningEmulator;
let refusing: RunningHttpEmulator;

beforeAll(async () => {
  miner = await startCgminerEmulator(
    repliesFrom({
      version: 'antminer__stock_bmminer_rpc4028__version',
      summary: 'antminer__stock_bmminer_rpc4028__summary',
      stats: 'antminer__stock_bmminer_rpc4028__stats',
      pools: 'antminer__stock_bmminer_rpc4028__pools',
    }),
    { host: '127.0.12.5', port: 24028 },
  );
  refusing = await startHttpEmulator(() => ({ status: 401, body: '{"error":"HW_ERR_UNAUTHENTICATED"}' }));
  dir = await mkdtemp(join(tmpdir(), 'hashwatt-agent-cli-'));
  configFile = join(dir, 'agent.json');
  // The host deadline leaves the emulated miner time to answer on a busy machine.
  await writeFile(
    configFile,
    JSON.stringify({ scan: { rpcPort: 24028, httpPort: 24080, gpuPorts: [], hostTimeoutMs: 20_000 } }),
  );
});
afterAll(async () => {
  await miner.close();
  await refusing.close();
  await rm(dir, { recursive: true, force: true });
});

describe('hashwatt-agent', () => {
  it('scan prints the miners it found as a table, no server needed', async () => {
    const scanned = await agent(['scan', '--config', configFile, '--range', '127.0.12.0/28']);
    expect(scanned.stderr).toBe('');
    expect(scanned.code).toBe(0);
    const lines = scanned.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^ADDRESS\s+DRIVER\s+MAKE\s+MODEL\s+FIRMWARE\s+HASHRATE\s+POWER\s+STATE\s+FOUND BY$/,
    );
    expect(lines[1]).toMatch(
      /^127\.0\.12\.5:24028\s+antminer\s+Antminer\s+S19 Pro\s+49\.0\.1\.3\s+111 TH\/s\s+mining\s+rpc 24028: BMMINER$/,
    );
    expect(lines.at(-1)).toMatch(/^1 miner\(s\) among 14 address\(es\), \d+\.\d s$/);
  });

  it('names a bad range, a configuration problem, an unreachable server and a refused key, exiting 2', async () => {
    const range = await agent(['scan', '--range', '10.0.0.0/8']);
    expect(range).toMatchObject({ code: 2, stderr: expect.stringMatching(/wider than a \/16/) as unknown });

    const bad = await agent(['run'], {
      HASHWATT_AGENT_SERVER_URL: 'ftp://pool',
      HASHWATT_AGENT_API_KEY: 'hwk_x',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/server\.url: "ftp:\/\/pool" must match pattern/);

    const watch = { HASHWATT_AGENT_API_KEY: 'hwk_abcdef' };
    const down = await agent(['run', '--config', configFile, '--range', '127.0.12.0/30'], {
      ...watch,
      HASHWATT_AGENT_SERVER_URL: 'http://127.0.0.1:2',
    });
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/the server at http:\/\/127\.0\.0\.1:2 cannot be reached \(ECONNREFUSED\)/);

    const refused = await agent(['run', '--config', configFile, '--range', '127.0.12.0/30'], {
      ...watch,
      HASHWATT_AGENT_SERVER_URL: `http://127.0.0.1:${String(refusing.port)}`,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/refused the farm API key \(HTTP 401\): it is wrong or was revoked/);
  });

  it('explains itself when called wrongly', async () => {
    expect(await agent([])).toMatchObject({ code: 2, stdout: expect.stringContaining('usage:') as unknown });
    expect(await agent(['sacn'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "sacn"') as unknown,
    });
    expect(await agent(['scan', '--rnage', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--rnage'") as unknown,
    });
  });
});

describe('the hashwatt-agent program', () => {
  it("exits with its command's status: help on stdout, a wrong command on stderr", async () => {
    const [help, wrong] = await Promise.all([program(['--help']), program(['sacn'])]);
    expect(help).toMatchObject({ code: 0, stderr: '', stdout: expect.stringContaining('usage:') as unknown });
    expect(wrong).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('unknown command "sacn"') as unknown,
    });
  });
});
