/**
 * Starts: the whole pool on the devchain (as stratum-session.test.ts), with TLS, the
 * PROXY protocol, connection limits, bans, idle timeouts and vardiff over real TCP.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const WORKER = `${MINER_ADDRESS}.rig`;
const SUBSCRIBE = `${JSON.stringify({ id: 1, method: 'mining.subscribe', params: ['t'] })}\n`;

/**
 * Writes `bytes` on a fresh socket and collects what comes back: until the pool closes
 * it (`until: 'close'`), or until it answers a request (`'answer'`).
 */
async function exchange(
  port: number,
  bytes: Buffer,
  until: 'close' | 'answer',
  localAddress = '127.0.0.1',
): Promise<{ text: string; closed: boolean }> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress });
  let text = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(bytes);
  const done = until === 'close' ? () => closed : () => closed || /"result"[^\n]*\n/.test(text);
  await eventually(
    () => (done() ? true : undefined),
    `the pool to ${until === 'close' ? 'close' : 'answer'}`,
  );
  socket.destroy();
  return { text, closed };
}

function proxyV2(source: string, sourcePort: number): Buffer {
  const header = Buffer.alloc(28);
  Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]).copy(header);
  header[12] = 0x21; // v2, PROXY
  header[13] = 0x11; // TCP over IPv4
  header.writeUInt16BE(12, 14);
  Buffer.from(source.split('.').map(Number)).copy(header, 16);
  Buffer.from([10, 0, 0, 1]).copy(header, 20);
  header.writeUInt16BE(sourcePort, 24);
  header.writeUInt16BE(3333, 26);
  return header;
}

describe('PROXY protocol from a trusted balancer', () => {
  let pool: TestPool;
  beforeAll(async () => {
    pool = await startTestPool({
      HASHWATT_STRATUM_PROXY_PROTOCOL_FROM: '127.0.0.1',
      HASHWATT_STRATUM_MAX_CONNECTIONS_PER_ADDRESS: '100',
    });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it("v1 and v2 headers in front of the miner's bytes, even in the same packet", async () => {
    const v1 = await exchange(
      pool.stratumPort,
      Buffer.from(`PROXY TCP4 203.0.113.7 10.0.0.1 40000 3333\r\n${SUBSCRIBE}`),
      'answer',
    );
    expect(v1.text).toContain('"result":[[["mining.set_difficulty"');
    const v2 = await exchange(
      pool.stratumPort,
      Buffer.concat([proxyV2('198.51.100.9', 40001), Buffer.from(SUBSCRIBE)]),
      'answer',
    );
    expect(v2.text).toContain('"result":[[["mining.set_difficulty"');
  });

  it('a trusted peer without a header is dropped', async () => {
    expect(await exchange(pool.stratumPort, Buffer.from(SUBSCRIBE), 'close')).toMatchObject({
      closed: true,
      text: '',
    });
  });

  it('bans the miner behind the balancer, not the balancer', async () => {
    const garbage = Buffer.from(`PROXY TCP4 203.0.113.66 10.0.0.1 40000 3333\r\n${'not json\n'.repeat(12)}`);
    const banned = await exchange(pool.stratumPort, garbage, 'close');
    expect(banned.text).toContain('client.show_message');
    expect(banned.closed).toBe(true);
    const again = await exchange(
      pool.stratumPort,
      Buffer.from(`PROXY TCP4 203.0.113.66 10.0.0.1 40001 3333\r\n${SUBSCRIBE}`),
      'close',
    );
    expect(again).toMatchObject({ closed: true, text: '' });
    const other = await exchange(
      pool.stratumPort,
      Buffer.from(`PROXY TCP4 203.0.113.67 10.0.0.1 40002 3333\r\n${SUBSCRIBE}`),
      'answer',
    );
    expect(other.text).toContain('"result"');
  });
});

describe('limits, bans and timeouts', () => {
  let pool: TestPool;
  beforeAll(async () => {
    pool = await startTestPool({
      HASHWATT_STRATUM_MAX_CONNECTIONS_PER_ADDRESS: '3',
      HASHWATT_STRATUM_BAN_THRESHOLD: '30',
      HASHWATT_STRATUM_IDLE_TIMEOUT_SECONDS: '5',
      HASHWATT_STRATUM_LINE_TIMEOUT_SECONDS: '2',
    });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('refuses connections from one address beyond the limit, not from others', async () => {
    const held = await Promise.all(
      [1, 2, 3].map(() => StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.20')),
    );
    const fourth = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.20');
    await fourth.waitForClose();
    const elsewhere = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.21');
    expect((await elsewhere.request('mining.subscribe', [])).result).toBeDefined();
    for (const client of [...held, elsewhere]) {
      client.close();
    }
  });

  it('bans an address that keeps sending garbage; the ban outlives the connection', async () => {
    const result = await exchange(pool.stratumPort, Buffer.from('{{{\n'.repeat(3)), 'close', '127.0.0.30');
    expect(result.closed).toBe(true);
    expect(result.text).toContain('banned for 600 s');
    expect(await exchange(pool.stratumPort, Buffer.from(SUBSCRIBE), 'close', '127.0.0.30')).toMatchObject({
      closed: true,
      text: '',
    });
    expect((await exchange(pool.stratumPort, Buffer.from(SUBSCRIBE), 'answer', '127.0.0.31')).text).toContain(
      '"result"',
    );
  });

  it('cuts off a slow loris trickling one line byte by byte, while a miner beside it works on', async () => {
    const loris = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.50');
    const miner = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.50');
    const trickle = setInterval(() => {
      loris.socket.write('x');
    }, 200);
    // Closed by the 2 s line timeout: a byte every 200 ms never lets the 5 s idle timeout run out.
    await loris.waitForClose();
    clearInterval(trickle);
    expect((await miner.request('mining.subscribe', [])).result).toBeDefined();
    miner.close();
  });

  it('keeps a busy miner whose every chunk ends mid-line: each finished line restarts the line clock', async () => {
    const miner = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.51');
    const line = (id: number): string =>
      `${JSON.stringify({ id, method: 'mining.extranonce.subscribe', params: [] })}\n`;
    const half = Math.floor(line(0).length / 2);
    // 16 chunks 200 ms apart: 3.2 s of unfinished lines, past the 2 s line timeout.
    miner.socket.write(line(1).slice(0, half));
    for (let id = 1; id <= 16; id += 1) {
      await sleep(200);
      miner.socket.write(line(id).slice(half) + line(id + 1).slice(0, half));
    }
    await eventually(
      () => (miner.replies.size === 16 ? true : undefined),
      'replies to the 16 finished lines',
    );
    expect(miner.closed).toBe(false);
    expect([...miner.replies.values()].every((reply) => reply.result === true)).toBe(true);
    miner.close();
  });

  it('drops a connection that says nothing for the idle timeout', async () => {
    const quiet = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.40');
    const started = Date.now();
    await quiet.waitForClose();
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_900);
  });
});

describe('TLS', () => {
  let pool: TestPool;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    // A throwaway self-signed certificate, made for this test run only.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    pool = await startTestPool({
      HASHWATT_STRATUM_TLS_PORT: '0',
      HASHWATT_STRATUM_TLS_CERT_FILE: cert,
      HASHWATT_STRATUM_TLS_KEY_FILE: key,
    });
  });
  afterAll(async () => {
    await pool.stop();
    await rm(dir, { recursive: true });
  });

  it('speaks Stratum over TLS on its own port, and plain Stratum on the other', async () => {
    const socket = tls.connect({ port: pool.tlsPort ?? 0, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.write(SUBSCRIBE);
    await eventually(() => (text.includes('mining.notify') ? true : undefined), 'a job over TLS');
    expect(socket.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    socket.destroy();
    expect((await exchange(pool.stratumPort, Buffer.from(SUBSCRIBE), 'answer')).text).toContain('"result"');
  });
});

describe('vardiff over TCP', () => {
  let pool: TestPool;
  beforeAll(async () => {
    pool = await startTestPool({
      HASHWATT_STRATUM_START_DIFFICULTY: '0.00000001',
      HASHWATT_STRATUM_TARGET_SHARE_SECONDS: '1',
      HASHWATT_STRATUM_VARDIFF_RETARGET_SECONDS: '1',
    });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('raises the difficulty of a miner far too fast for it', async () => {
    const miner = await StratumClient.connect(pool.stratumPort);
    await miner.subscribeAndAuthorize(WORKER);
    const start = miner.difficulty;
    for (let i = 0; i < 8; i++) {
      expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
    }
    const raised = await miner.waitFor(
      () => (miner.difficulty > start ? miner.difficulty : undefined),
      2_000,
      'a higher difficulty',
    );
    expect(raised).toBeGreaterThan(start * 8);
    miner.close();
  });

  it('lowers the difficulty of a miner that cannot find shares at it', async () => {
    const miner = await StratumClient.connect(pool.stratumPort);
    await miner.subscribeAndAuthorize(WORKER, 'x');
    await miner.request('mining.suggest_difficulty', [1e6]);
    const lowered = await miner.waitFor(
      () => (miner.difficulty < 1e6 ? miner.difficulty : undefined),
      20_000,
      'a lower difficulty',
    );
    expect(lowered).toBeLessThan(1e6 / 4);
    miner.close();
  });
});

describe('stopping', () => {
  it('asks every miner to reconnect before closing', async () => {
    const pool = await startTestPool();
    const miner = await StratumClient.connect(pool.stratumPort);
    await miner.subscribeAndAuthorize(WORKER);
    await pool.stop();
    await miner.waitForClose();
    expect(miner.notifications.at(-1)).toEqual({ id: null, method: 'client.reconnect', params: [] });
  });
});
