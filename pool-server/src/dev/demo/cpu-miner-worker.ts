import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type { NotifyParams } from '../../work/job.ts';
import { searchShare } from '../../work/nonce-search.ts';
import { createShareHasher } from '../../work/share-hasher.ts';

/**
 * The demo's CPU miners, in a thread of their own: each speaks Stratum V1 to the pool
 * over TCP as a small ASIC would (subscribe, authorize, notify, submit) and searches
 * nonces in slices, so that together they use at most `hashesPerSecond`. Each rig works
 * at the speed its emulated Antminer's mode allows: a rig asleep or rebooting keeps no
 * pool connection, as a real one in sleep mode does not hash for its pool.
 */

export interface MinerThreadSettings {
  readonly host: string;
  readonly port: number;
  readonly users: readonly string[];
  /** Stratum password: the share difficulty, fixed (d=N). */
  readonly password: string;
  readonly hashesPerSecond: number;
}

export interface RigReport {
  readonly user: string;
  readonly hashrate: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly stale: number;
  readonly connected: boolean;
}

/** From the demo farm: stop everything, or set one rig's speed (0 asleep, 1 full, between: low power). */
export type MinerThreadMessage =
  { readonly kind: 'stop' } | { readonly kind: 'speed'; readonly user: string; readonly speed: number };

const SLICE_MS = 50;
const REPORT_MS = 2_000;
const STALE_CODE = 21;

class Rig {
  socket: net.Socket | undefined;
  connected = false;
  extranonce1 = Buffer.alloc(0);
  extranonce2Size = 4;
  extranonce2 = 0;
  difficulty = 1;
  job: NotifyParams | undefined;
  nonce = 0;
  hashes = 0;
  hashrate = 0;
  accepted = 0;
  rejected = 0;
  stale = 0;
  #nextId = 1;
  #buffer = '';
  #submits = new Set<number>();
  #stopped = false;
  /** The share of its slice it hashes; 0: paused, with no pool connection. */
  #speed = 1;

  constructor(
    readonly user: string,
    readonly settings: MinerThreadSettings,
  ) {}

  connect(): void {
    // A new session: its subscribe and authorize are requests 1 and 2 again.
    this.#nextId = 1;
    this.#buffer = '';
    const socket = net.connect({ host: this.settings.host, port: this.settings.port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.send('mining.subscribe', ['hashwatt-demo/1.0']);
      this.send('mining.authorize', [this.user, this.settings.password]);
    });
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let newline = this.#buffer.indexOf('\n');
      while (newline !== -1) {
        this.receive(this.#buffer.slice(0, newline));
        this.#buffer = this.#buffer.slice(newline + 1);
        newline = this.#buffer.indexOf('\n');
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.connected = false;
      this.job = undefined;
      if (!this.#stopped && this.#speed > 0 && this.socket === socket) {
        // The pool went away (restarting): come back as a miner's firmware does.
        setTimeout(() => {
          this.connect();
        }, 2_000).unref();
      }
    });
  }

  setSpeed(speed: number): void {
    const was = this.#speed;
    this.#speed = speed;
    if (speed === 0 && was > 0) {
      // Asleep: the pool connection goes, and with it what the rig was working on.
      const socket = this.socket;
      this.socket = undefined;
      this.connected = false;
      this.job = undefined;
      this.hashrate = 0;
      this.hashes = 0;
      this.#submits.clear();
      socket?.destroy();
    } else if (speed > 0 && was === 0 && !this.#stopped) {
      this.connect();
    }
  }

  send(method: string, params: unknown[]): number {
    const id = this.#nextId++;
    this.socket?.write(`${JSON.stringify({ id, method, params })}\n`);
    return id;
  }

  receive(line: string): void {
    let message: {
      id?: number | null;
      method?: string;
      params?: unknown[];
      result?: unknown;
      error?: unknown;
    };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return;
    }
    if (message.method === 'mining.notify') {
      this.job = message.params as unknown as NotifyParams;
      this.nonce = 0;
      return;
    }
    if (message.method === 'mining.set_difficulty') {
      this.difficulty = Number(message.params?.[0]);
      return;
    }
    if (message.id === 1 && Array.isArray(message.result)) {
      this.extranonce1 = Buffer.from(String(message.result[1]), 'hex');
      this.extranonce2Size = Number(message.result[2]);
      return;
    }
    if (message.id === 2) {
      this.connected = message.result === true;
      return;
    }
    if (typeof message.id === 'number' && this.#submits.delete(message.id)) {
      if (message.result === true) {
        this.accepted += 1;
      } else if (Array.isArray(message.error) && message.error[0] === STALE_CODE) {
        this.stale += 1;
      } else {
        this.rejected += 1;
      }
    }
  }

  /** Searches up to `count` nonces of the current job at its speed; a share found is submitted at once. */
  work(hasher: ReturnType<typeof createShareHasher>, count: number): void {
    const job = this.job;
    if (!job || !this.connected) {
      return;
    }
    const slice = Math.max(1, Math.floor(count * this.#speed));
    if (this.nonce + slice > 0x1_0000_0000) {
      this.extranonce2 += 1;
      this.nonce = 0;
    }
    const extranonce2 = this.extranonce2
      .toString(16)
      .padStart(this.extranonce2Size * 2, '0')
      .slice(-this.extranonce2Size * 2);
    const found = searchShare(hasher, job, this.extranonce1, this.difficulty, {
      extranonce2,
      startNonce: this.nonce,
      count: slice,
    });
    const searched = found ? Number.parseInt(found.nonce, 16) - this.nonce + 1 : slice;
    this.hashes += searched;
    this.nonce += searched;
    if (found) {
      this.#submits.add(
        this.send('mining.submit', [this.user, job[0], found.extranonce2, found.ntime, found.nonce]),
      );
    }
  }

  stop(): void {
    this.#stopped = true;
    this.socket?.destroy();
  }
}

function run(settings: MinerThreadSettings): void {
  const hasher = createShareHasher();
  const rigs = settings.users.map((user) => new Rig(user, settings));
  for (const rig of rigs) {
    rig.connect();
  }
  const perSlice = Math.max(
    1,
    Math.floor((settings.hashesPerSecond * SLICE_MS) / 1000 / Math.max(1, rigs.length)),
  );
  const slices = setInterval(() => {
    for (const rig of rigs) {
      rig.work(hasher, perSlice);
    }
  }, SLICE_MS);
  let last = Date.now();
  const reports = setInterval(() => {
    const now = Date.now();
    const seconds = (now - last) / 1000;
    last = now;
    parentPort?.postMessage(
      rigs.map((rig): RigReport => {
        // A smoothed rate, as firmware shows its "5 s" figure.
        rig.hashrate =
          rig.hashrate === 0 ? rig.hashes / seconds : 0.7 * rig.hashrate + 0.3 * (rig.hashes / seconds);
        rig.hashes = 0;
        return {
          user: rig.user,
          hashrate: rig.hashrate,
          accepted: rig.accepted,
          rejected: rig.rejected,
          stale: rig.stale,
          connected: rig.connected,
        };
      }),
    );
  }, REPORT_MS);
  parentPort?.on('message', (message: MinerThreadMessage) => {
    if (message.kind === 'speed') {
      rigs.find((rig) => rig.user === message.user)?.setSpeed(message.speed);
    } else {
      clearInterval(slices);
      clearInterval(reports);
      for (const rig of rigs) {
        rig.stop();
      }
      parentPort?.close();
    }
  });
}

run(workerData as MinerThreadSettings);
