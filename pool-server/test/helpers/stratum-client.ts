/**
 * A Stratum V1 client over a real TCP socket, as miner firmware speaks it: JSON lines
 * out, replies matched by id, notifications kept in arrival order.
 */
import net from 'node:net';
import type { NotifyParams } from '../../src/work/job.ts';
import { PATIENCE_MS } from './eventually.ts';
import { mineShare, type MineOptions } from './mining.ts';

export interface StratumMessage {
  readonly id?: unknown;
  readonly method?: string;
  readonly params?: unknown[];
  readonly result?: unknown;
  readonly error?: unknown;
}

export class StratumClient {
  readonly socket: net.Socket;
  readonly notifications: StratumMessage[] = [];
  readonly replies = new Map<unknown, StratumMessage>();
  extranonce1 = Buffer.alloc(0);
  extranonce2Size = 0;
  difficulty = 0;
  job: NotifyParams | undefined;
  closed = false;
  #buffer = '';
  #nextId = 100;
  #waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.#buffer += text;
      let newline = this.#buffer.indexOf('\n');
      while (newline !== -1) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        this.#take(JSON.parse(line) as StratumMessage);
        newline = this.#buffer.indexOf('\n');
      }
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<StratumClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(localAddress !== undefined && { localAddress }) });
      socket.once('connect', () => {
        resolve(new StratumClient(socket));
      });
      socket.once('error', reject);
    });
  }

  #take(message: StratumMessage): void {
    if (message.method === undefined) {
      this.replies.set(message.id, message);
      return;
    }
    this.notifications.push(message);
    if (message.method === 'mining.set_difficulty') {
      this.difficulty = Number(message.params?.[0]);
    }
    if (message.method === 'mining.notify') {
      this.job = message.params as unknown as NotifyParams;
    }
    if (message.method === 'mining.set_extranonce') {
      // [NiceHash] used from the next job on, which the pool sends next.
      this.extranonce1 = Buffer.from(String(message.params?.[0]), 'hex');
      this.extranonce2Size = Number(message.params?.[1]);
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) {
      wake();
    }
  }

  /** Resolves when `ready()` holds, re-checked on every message; rejects after timeoutMs. */
  waitFor<T>(ready: () => T | undefined, timeoutMs = PATIENCE_MS, what = 'a message'): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const check = (): void => {
        const value = ready();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else {
          this.#waiters.push(check);
        }
      };
      check();
    });
  }

  send(message: Record<string, unknown>): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  async request(method: string, params: unknown[]): Promise<StratumMessage> {
    const id = this.#nextId++;
    this.send({ id, method, params });
    return this.waitFor(() => this.replies.get(id), PATIENCE_MS, `the reply to ${method}`);
  }

  waitForClose(timeoutMs = PATIENCE_MS): Promise<true> {
    return this.waitFor(
      () => (this.closed ? true : undefined),
      timeoutMs,
      'the pool to close the connection',
    );
  }

  /** The next notification of `method` after the first `skip` of them. */
  nthNotification(method: string, index: number, timeoutMs = PATIENCE_MS): Promise<StratumMessage> {
    return this.waitFor(
      () => this.notifications.filter((m) => m.method === method)[index],
      timeoutMs,
      `${method} #${String(index)}`,
    );
  }

  async subscribeAndAuthorize(worker: string, password = 'x', configure = true): Promise<void> {
    if (configure) {
      await this.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': 'ffffffff' }]);
    }
    const subscribed = await this.request('mining.subscribe', ['hashwatt-test/1.0']);
    const [, extranonce1, size] = subscribed.result as [unknown, string, number];
    this.extranonce1 = Buffer.from(extranonce1, 'hex');
    this.extranonce2Size = size;
    const authorized = await this.request('mining.authorize', [worker, password]);
    if (authorized.result !== true) {
      throw new Error(`authorize failed: ${JSON.stringify(authorized.error)}`);
    }
    await this.waitFor(() => this.job, PATIENCE_MS, 'the first job');
  }

  /** Mines a share of the current job at the current difficulty and submits it. */
  async mineAndSubmit(
    worker: string,
    options: MineOptions & { difficulty?: number } = {},
  ): Promise<StratumMessage> {
    const job = this.job;
    if (!job) {
      throw new Error('no job yet');
    }
    const mined = mineShare(
      job,
      this.extranonce1,
      this.extranonce2Size,
      options.difficulty ?? this.difficulty,
      {
        extranonce2: options.extranonce2 ?? this.#nextId.toString(16).padStart(2 * this.extranonce2Size, '0'),
        ...options,
      },
    );
    return this.request('mining.submit', [worker, job[0], mined.extranonce2, mined.ntime, mined.nonce]);
  }

  close(): void {
    this.socket.destroy();
  }
}
