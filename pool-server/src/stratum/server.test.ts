/**
 * Starts: a StratumServer on a loopback port with the test environment (no pool, no
 * database), and miners over real TCP in this process.
 */
import net from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.ts';
import { mineShare } from '../../test/helpers/mining.ts';
import { TESTNET_ADDRESS, testEnvironment } from '../../test/helpers/stratum-env.ts';
import type { NotifyParams } from '../work/job.ts';
import { DEFAULT_BANS } from './bans.ts';
import { SHARE_NOT_RECORDED, StratumErrorCode } from './errors.ts';
import { StratumServer } from './server.ts';

const WORKER = `${TESTNET_ADDRESS}.rig`;

interface Miner {
  readonly socket: net.Socket;
  readonly lines: Record<string, unknown>[];
  /** The replies to submits (ids from 100). */
  readonly replies: Record<string, unknown>[];
}

function line(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

async function connect(port: number): Promise<Miner> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const miner: Miner = { socket, lines: [], replies: [] };
  let tail = '';
  socket.on('data', (chunk: Buffer) => {
    const parts = (tail + chunk.toString()).split('\n');
    tail = parts.pop() ?? '';
    for (const part of parts) {
      const message = JSON.parse(part) as Record<string, unknown>;
      if (typeof message.id === 'number' && message.id >= 100) {
        miner.replies.push(message);
      }
      miner.lines.push(message);
    }
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    line({ id: 1, method: 'mining.subscribe', params: ['test'] }) +
      line({ id: 2, method: 'mining.authorize', params: [WORKER, 'x'] }),
  );
  await eventually(() => (miner.lines.some((m) => m.method === 'mining.notify') ? true : undefined), 'a job');
  return miner;
}

function submitFor(miner: Miner, id: number, extranonce2 = '00'.repeat(8)): string {
  const subscribed = miner.lines.find((m) => m.id === 1)?.result as [unknown, string];
  const notify = miner.lines.find((m) => m.method === 'mining.notify')?.params as NotifyParams;
  const mined = mineShare(notify, Buffer.from(subscribed[1], 'hex'), 8, 1e-6, { extranonce2 });
  return line({
    id,
    method: 'mining.submit',
    params: [WORKER, notify[0], mined.extranonce2, mined.ntime, mined.nonce],
  });
}

/** A server whose accepted shares and commits are logged in `events`. */
async function startServer(
  events: string[],
  { bans = DEFAULT_BANS, groupCommitMs = Number.POSITIVE_INFINITY, commits = (): boolean => true } = {},
): Promise<{ server: StratumServer; port: number }> {
  const { env } = testEnvironment();
  const environment = {
    ...env,
    events: {
      ...env.events,
      shareAccepted() {
        events.push('share');
      },
      commitShares() {
        events.push('commit');
        return commits();
      },
    },
  };
  const server = new StratumServer(
    environment,
    {
      host: '127.0.0.1',
      port: 0,
      tls: undefined,
      soloPort: undefined,
      proxyProtocol: undefined,
      sv2: undefined,
      maxConnections: 100,
      maxConnectionsPerAddress: 100,
      bans,
      connection: {
        maxLineBytes: 16_384,
        idleTimeoutMs: 60_000,
        lineTimeoutMs: 60_000,
        drainTimeoutMs: 5_000,
        maxQueuedBytes: 1 << 20,
      },
      tickMs: 60_000,
      groupCommitMs,
    },
    pino({ level: 'silent' }),
  );
  const { port } = await server.listen();
  return { server, port };
}

/**
 * Logs 'send' in `events` each time a socket is written to until `until` settles: only
 * the server writes meanwhile. Then holds the event loop until the kernel has what the
 * miners wrote, so the server reads it all in one turn.
 */
async function logSends<T>(events: string[], until: () => Promise<T>): Promise<T> {
  const prototype = net.Socket.prototype;
  const { write } = Object.getOwnPropertyDescriptors(Object.getPrototypeOf(prototype) as object);
  const realWrite = write?.value as (this: net.Socket, ...args: unknown[]) => boolean;
  prototype.write = function (this: net.Socket, ...args: unknown[]): boolean {
    events.push('send');
    return realWrite.apply(this, args);
  };
  const holdUntil = performance.now() + 50;
  while (performance.now() < holdUntil) {
    // waiting on purpose
  }
  try {
    return await until();
  } finally {
    Reflect.deleteProperty(prototype, 'write');
  }
}

describe('Stratum server: group commit', () => {
  let server: StratumServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  /**
   * Three miners each send one share, all read in one turn of the server's loop; resolves
   * when all are answered (and accepted), with what the server did in between.
   */
  async function threeSharesInOneTurn(groupCommitMs?: number): Promise<string[]> {
    const events: string[] = [];
    const started = await startServer(events, { groupCommitMs });
    server = started.server;
    const miners = await Promise.all([connect(started.port), connect(started.port), connect(started.port)]);
    const submits = miners.map((miner, index) => submitFor(miner, 100 + index));
    events.length = 0;
    for (const [index, miner] of miners.entries()) {
      miner.socket.write(submits[index] ?? '');
    }
    await logSends(events, () =>
      eventually(() => (miners.every((miner) => miner.replies.length === 1) ? true : undefined), 'replies'),
    );
    for (const miner of miners) {
      expect(miner.replies[0]?.result).toBe(true);
      miner.socket.destroy();
    }
    return events;
  }

  it('answers shares only after they are committed, one commit for every connection read in a turn', async () => {
    expect(await threeSharesInOneTurn()).toEqual([
      'share',
      'share',
      'share',
      'commit',
      'send',
      'send',
      'send',
    ]);
  });

  it('commits and answers before reading the next connection once replies have been held groupCommitMs', async () => {
    // 0: every connection read after the first finds the replies before it due.
    expect(await threeSharesInOneTurn(0)).toEqual([
      'share',
      'commit',
      'send',
      'share',
      'commit',
      'send',
      'share',
      'commit',
      'send',
    ]);
  });

  it('commits before closing a connection, so a share sent with the line that gets it banned is still answered', async () => {
    const events: string[] = [];
    // Any penalty bans: the garbage line after the share closes the connection in the same turn.
    const started = await startServer(events, { bans: { ...DEFAULT_BANS, threshold: 1 } });
    server = started.server;
    const miner = await connect(started.port);
    const closed = new Promise<void>((resolve) =>
      miner.socket.once('close', () => {
        resolve();
      }),
    );
    events.length = 0;
    miner.socket.write(`${submitFor(miner, 100)}not json\n`);
    await logSends(events, () => closed);

    expect(events.slice(0, 3)).toEqual(['share', 'commit', 'send']);
    expect(miner.replies[0]?.result).toBe(true);
  });

  it('refuses the shares of a commit that failed, leaving the other replies of the turn as they were', async () => {
    const events: string[] = [];
    let journalWrites = false;
    const started = await startServer(events, { commits: () => journalWrites });
    server = started.server;
    const miner = await connect(started.port);
    const unknownJob = line({
      id: 101,
      method: 'mining.submit',
      params: [WORKER, 'ffff', '00'.repeat(8), '00000000', '00000000'],
    });
    miner.socket.write(submitFor(miner, 100) + unknownJob);
    await eventually(() => (miner.replies.length === 2 ? true : undefined), 'two replies');
    expect(miner.replies).toEqual([
      { id: 100, result: null, error: [StratumErrorCode.Other, SHARE_NOT_RECORDED, null] },
      { id: 101, result: null, error: [StratumErrorCode.JobNotFound, expect.any(String), null] },
    ]);
    journalWrites = true;
    miner.socket.write(submitFor(miner, 102, '01'.repeat(8)));
    await eventually(() => (miner.replies.length === 3 ? true : undefined), 'the third reply');
    expect(miner.replies[2]).toEqual({ id: 102, result: true, error: null });
    miner.socket.destroy();
  });
});
