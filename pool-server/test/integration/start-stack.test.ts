/**
 * Starts: what `pnpm start` runs (pool-server/bin/hashwatt.js with no configuration
 * but free ports and a data folder of its own) as a process group of its own: the
 * embedded PostgreSQL in its keeper, the devchain, Stratum, the API with the dashboard
 * (built here), and the demo farm — CPU miners behind emulated Antminers, an emulated
 * meter, the farm agent. A block found by the demo miners is seen through the API, the
 * demo operator sees the farm's devices, and Ctrl-C (SIGINT to the group) stops it all,
 * leaving no process and no database running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { FarmDevice, Farm, PoolSummary, SessionView } from '@hashwatt/schemas';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/embedded-postgres.ts';
import { reachable } from '../helpers/processes.ts';

const BIN = fileURLToPath(new URL('../../bin/hashwatt.js', import.meta.url));
const DASHBOARD = fileURLToPath(new URL('../../../dashboard', import.meta.url));

async function until<T>(what: string, seconds: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      // A request the server refused is a retry; a process that died is an answer.
      if (error instanceof Error && error.message.startsWith('hashwatt exited')) {
        throw error;
      }
      return undefined;
    });
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`waited ${String(seconds)} s for ${what}`);
    }
    await sleep(250);
  }
}

describe('pnpm start: the whole system on its embedded defaults', () => {
  let directory: string;
  let child: ChildProcess;
  let output = '';
  const ports: Record<string, number> = {};
  let exited: Promise<number | null>;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-start-'));
    // As root, PostgreSQL runs as a user of its own, who must reach the data folder inside.
    chmodSync(directory, 0o755);
    await build({
      root: DASHBOARD,
      logLevel: 'warn',
      build: { outDir: path.join(directory, 'dashboard'), emptyOutDir: true },
    });
    for (const name of ['stratum', 'api', 'rpc', 'zmq', 'postgres']) {
      ports[name] = await freePort();
    }
    child = spawn(process.execPath, [BIN], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        HASHWATT_DATA_DIR: path.join(directory, 'data'),
        HASHWATT_STRATUM_PORT: String(ports.stratum),
        HASHWATT_API_PORT: String(ports.api),
        HASHWATT_API_DASHBOARD_DIR: path.join(directory, 'dashboard'),
        HASHWATT_API_SECURE_COOKIES: 'false',
        HASHWATT_DEVCHAIN_RPC_PORT: String(ports.rpc),
        HASHWATT_DEVCHAIN_ZMQ_PORT: String(ports.zmq),
        HASHWATT_DATABASE_EMBEDDED_PORT: String(ports.postgres),
        // Blocks within seconds for the demo's CPU miners.
        HASHWATT_DEVCHAIN_DIFFICULTY: '0.0005',
        // Everything it logs down to debug (each request too), for the check that no secret is among it.
        HASHWATT_LOG_LEVEL: 'debug',
      },
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
  });

  afterAll(async () => {
    // A failed run is not left behind: the group, then the keeper it would have stopped.
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  });

  const api = (url: string, init?: RequestInit): Promise<Response> =>
    fetch(`http://127.0.0.1:${String(ports.api)}/api${url}`, init);

  it('prints where it is and how to sign in to the demo', async () => {
    await until('the demo logins', 150, () => {
      if (child.exitCode !== null) {
        throw new Error(`hashwatt exited (${String(child.exitCode)}):\n${output}`);
      }
      return Promise.resolve(/demo regulator .* password \S+/.test(output) ? true : undefined);
    });
    expect(output).toContain(`http://127.0.0.1:${String(ports.api)}/`);
    expect(output).toContain(`:${String(ports.stratum)}`);
    // A regulator must sign in with a second factor: the hint says the first sign-in sets it up.
    expect(output).toMatch(/demo regulator .* password \S+ .*two-factor sign-in .*first sign-in/);
    // The dashboard as the build compressed it, to a browser that takes brotli, and its
    // entry script by gzip to one that takes only that.
    const page = await fetch(`http://127.0.0.1:${String(ports.api)}/farms`, {
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(page.headers.get('content-encoding')).toBe('br');
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const entry = /src="(\/assets\/index-[\w-]+\.js)"/.exec(html)?.[1];
    const script = await fetch(`http://127.0.0.1:${String(ports.api)}${entry ?? '/none'}`, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(script.status).toBe(200);
    expect(script.headers.get('content-encoding')).toBe('gzip');
    expect(await script.text()).toMatch(/^(?:import|const|var|function|\(|!)/);
  });

  it('finds a block with the demo miners, seen through the API', async () => {
    // The demo's CPU miners share the machine with everything else running on it.
    const block = await until('a block found by the demo miners', 240, async () => {
      const pool = (await (await api('/pool')).json()) as PoolSummary;
      return pool.lastBlocks.find((candidate) => candidate.finder === 'demo');
    });
    expect(block.worker).toMatch(/^demo\.asic-\d$/);
    expect(block.status).toBe('pending');
  }, 270_000);

  it("shows the demo operator its farm's devices, read by the agent from the emulated miners", async () => {
    const password = /demo operator\s+(\S+)\s+password (\S+)/.exec(output);
    const login = await api('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: password?.[1], password: password?.[2] }),
    });
    expect(login.status).toBe(200);
    const session = (await login.json()) as SessionView;
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const [farm] = (await (
      await api(`/organisations/${session.user.organisationId ?? ''}/farms`, { headers: { cookie } })
    ).json()) as Farm[];
    const devices = await until('the agent to report the demo miners', 150, async () => {
      const list = (await (
        await api(`/farms/${farm?.id ?? ''}/devices`, { headers: { cookie } })
      ).json()) as FarmDevice[];
      return list.length === 3 && list.every((device) => (device.hashrate ?? 0) > 0) ? list : undefined;
    });
    expect(devices.map((device) => device.poolUser).sort()).toEqual([
      'demo.asic-1',
      'demo.asic-2',
      'demo.asic-3',
    ]);
  });

  it('stops everything on Ctrl-C: no process, no database left running', async () => {
    process.kill(-(child.pid ?? 0), 'SIGINT');
    expect(await exited).toBe(0);
    expect(await reachable(ports.api ?? 0)).toBe(false);
    expect(await reachable(ports.stratum ?? 0)).toBe(false);
    await until('the embedded PostgreSQL to stop', 60, async () =>
      (await reachable(ports.postgres ?? 0)) ? undefined : true,
    );
    expect(existsSync(path.join(directory, 'data', 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('never logs a password, a session or an agent key', () => {
    const logLines = output.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(20);
    const passwords = [...output.matchAll(/password (\S+)/g)].map((match) => match[1] ?? '');
    expect(passwords.length).toBe(2);
    const leaks = logLines.filter(
      (line) =>
        passwords.some((password) => line.includes(password)) || /hwk_|hw_session=|"password"/.test(line),
    );
    expect(leaks).toEqual([]);
  });
});
