/**
 * Stratum load generator. Starts the pool in a child process (stratum-server.ts) and
 * drives it over real TCP from connections spread across 127.0.0.x source addresses:
 *   1. throughput: pipelined submits on many connections, end to end with replies;
 *   2. notify fan-out: a new block, timed from the trigger to each miner's clean job;
 *   3. idle connections: authorized miners held, and the pool's memory per connection.
 * Run: pnpm bench. BENCH_QUICK=1 runs a small version (CI checks it still works).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const QUICK = process.env.BENCH_QUICK === '1';
const THROUGHPUT_CONNECTIONS = QUICK ? 20 : 200;
const IN_FLIGHT = 16;
const THROUGHPUT_SECONDS = QUICK ? 1 : 10;
const FANOUT_CONNECTIONS = QUICK ? 200 : 10_000;
/** This sandbox caps every process at 20,000 open files: the pool keeps a few for itself. */
const IDLE_CONNECTIONS = QUICK ? 500 : 19_000;
const WORKER = 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t.load';

function now(): number {
  return performance.timeOrigin + performance.now();
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

class Server {
  readonly child: ChildProcess;
  readonly #pending = new Map<string, (message: Record<string, unknown>) => void>();

  constructor() {
    this.child = fork(new URL('./stratum-server.ts', import.meta.url), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message: Record<string, unknown>) => {
      const kind = String(message.kind);
      this.#pending.get(kind)?.(message);
      this.#pending.delete(kind);
    });
  }

  next(kind: string): Promise<Record<string, unknown>> {
    return new Promise((resolve) => this.#pending.set(kind, resolve));
  }

  /** Asks the pool to stop (miners get client.reconnect) and waits for it to exit. */
  stop(): Promise<void> {
    const exited = new Promise<void>((resolve) =>
      this.child.once('exit', () => {
        resolve();
      }),
    );
    this.child.send({ kind: 'stop' });
    return exited;
  }

  async ask(kind: string): Promise<Record<string, unknown>> {
    const answer = this.next(kind);
    this.child.send({ kind });
    return answer;
  }
}

/** A lean miner connection: lines in, a callback per line; no JSON parsing unless asked. */
class Miner {
  readonly socket: net.Socket;
  extranonce1 = '';
  job: string[] = [];
  #tail = '';
  onLine: (line: string, at: number) => void = () => undefined;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (text: string) => {
      const at = now();
      const lines = (this.#tail + text).split('\n');
      this.#tail = lines.pop() ?? '';
      for (const line of lines) {
        this.onLine(line, at);
      }
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, index: number): Promise<Miner> {
    // Spread over 127.0.0.2-127.0.0.250: one source address has only ~28,000 ports.
    const localAddress = `127.0.0.${String(2 + (index % 249))}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress });
      socket.once('connect', () => {
        resolve(new Miner(socket));
      });
      socket.once('error', reject);
    });
  }

  /** configure, subscribe and authorize; resolves when the first job has arrived. */
  handshake(difficulty: number): Promise<void> {
    return new Promise((resolve) => {
      this.onLine = (line) => {
        const message = JSON.parse(line) as {
          id?: number;
          method?: string;
          params?: string[];
          result?: unknown;
        };
        if (message.id === 2) {
          this.extranonce1 = String((message.result as unknown[])[1]);
        }
        if (message.method === 'mining.notify') {
          this.job = message.params ?? [];
          resolve();
        }
      };
      this.socket.write(
        `{"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]}\n` +
          `{"id":2,"method":"mining.subscribe","params":["hashwatt-load/1.0"]}\n` +
          `{"id":3,"method":"mining.authorize","params":["${WORKER}","d=${String(difficulty)}"]}\n`,
      );
    });
  }
}

async function connectMany(port: number, count: number, difficulty: number): Promise<Miner[]> {
  const miners: Miner[] = [];
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const group = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, offset) => {
        const miner = await Miner.connect(port, start + offset);
        await miner.handshake(difficulty);
        return miner;
      }),
    );
    miners.push(...group);
  }
  return miners;
}

interface Throughput {
  sharesPerSecond: number;
  accepted: number;
  rejected: number;
  p50Ms: number;
  p99Ms: number;
}

/** Every miner keeps IN_FLIGHT submits outstanding; each reply sends the next one. */
async function throughput(miners: Miner[]): Promise<Throughput> {
  const latencies: number[] = [];
  let accepted = 0;
  let rejected = 0;
  let running = true;
  let measuring = false;
  miners.forEach((miner) => {
    const sentAt = new Float64Array(1 << 16);
    let nonce = 0;
    const extranonce2 = randomBytes(8).toString('hex');
    const [jobId, , , , , , , ntime] = miner.job;
    const submit = (): void => {
      const id = ++nonce;
      sentAt[id & 0xffff] = now();
      miner.socket.write(
        `{"id":${String(id)},"method":"mining.submit","params":["${WORKER}","${String(jobId)}","${extranonce2}","${String(ntime)}","${(id >>> 0).toString(16).padStart(8, '0')}"]}\n`,
      );
    };
    miner.onLine = (line, at) => {
      const idEnd = line.indexOf(',');
      const id = Number(line.slice(6, idEnd));
      if (!Number.isInteger(id)) {
        return; // a notification (set_difficulty, notify)
      }
      if (measuring) {
        if (line.includes('"result":true')) {
          accepted++;
        } else {
          rejected++;
        }
        latencies.push(at - (sentAt[id & 0xffff] ?? at));
      }
      if (running) {
        submit();
      }
    };
    for (let i = 0; i < IN_FLIGHT; i++) {
      submit();
    }
  });
  await sleep(1_000); // warm-up
  measuring = true;
  const start = now();
  await sleep(THROUGHPUT_SECONDS * 1000);
  measuring = false;
  const seconds = (now() - start) / 1000;
  running = false;
  await sleep(500);
  const sorted = Float64Array.from(latencies).sort();
  return {
    sharesPerSecond: accepted / seconds,
    accepted,
    rejected,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
  };
}

async function fanOut(
  server: Server,
  miners: Miner[],
): Promise<{ p50Ms: number; p99Ms: number; maxMs: number; received: number }> {
  const arrivals: number[] = [];
  for (const miner of miners) {
    miner.onLine = (line, at) => {
      if (line.includes('"mining.notify"') && line.endsWith('true]}')) {
        arrivals.push(at);
      }
    };
  }
  const trigger = server.ask('network-block');
  const { at } = (await trigger) as { at: number };
  for (let waited = 0; arrivals.length < miners.length && waited < 10_000; waited += 50) {
    await sleep(50);
  }
  const sorted = Float64Array.from(arrivals.map((arrival) => arrival - at)).sort();
  return {
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    received: arrivals.length,
  };
}

function closeAll(miners: Miner[]): void {
  for (const miner of miners) {
    miner.socket.destroy();
  }
}

const server = new Server();
const ready = (await server.next('ready')) as { port: number };
const { port } = ready;

const loadMiners = await connectMany(port, THROUGHPUT_CONNECTIONS, 1e-12);
const load = await throughput(loadMiners);
closeAll(loadMiners);
await sleep(500);

const fanMiners = await connectMany(port, FANOUT_CONNECTIONS, 1);
const fan = await fanOut(server, fanMiners);
closeAll(fanMiners);
await sleep(1_000);

const before = (await server.ask('rss')) as { rss: number };
const idleMiners = await connectMany(port, IDLE_CONNECTIONS, 1);
await sleep(1_000);
const after = (await server.ask('rss')) as { rss: number };
const perConnection = (after.rss - before.rss) / IDLE_CONNECTIONS;
closeAll(idleMiners);
await server.stop();

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
console.log(
  `\nStratum load (${os.cpus()[0]?.model ?? 'CPU'}, ${String(os.cpus().length)} cores, Node ${process.version}; pool and load generator share the machine)`,
);
console.log('| measure | result |');
console.log('|---|---:|');
console.log(
  `| end-to-end accepted shares/s (${String(THROUGHPUT_CONNECTIONS)} connections, ${String(IN_FLIGHT)} in flight each) | ${Math.round(load.sharesPerSecond).toLocaleString('en-US')} |`,
);
console.log(`| reply latency p50 / p99 | ${load.p50Ms.toFixed(2)} ms / ${load.p99Ms.toFixed(2)} ms |`);
console.log(`| rejected during the run | ${String(load.rejected)} |`);
console.log(
  `| new-block notify to ${String(FANOUT_CONNECTIONS)} miners p50 / p99 / max | ${fan.p50Ms.toFixed(1)} / ${fan.p99Ms.toFixed(1)} / ${fan.maxMs.toFixed(1)} ms (${String(fan.received)} received) |`,
);
console.log(`| idle authorized connections held | ${String(IDLE_CONNECTIONS)} |`);
console.log(
  `| pool RSS with them / per connection | ${mib(after.rss)} / ${(perConnection / 1024).toFixed(1)} KiB |`,
);
console.log(`| RSS projected for 50,000 connections | ${mib(before.rss + perConnection * 50_000)} |`);
console.log(
  JSON.stringify({
    bench: 'stratum-load',
    quick: QUICK,
    load,
    fan,
    idle: { connections: IDLE_CONNECTIONS, rssBefore: before.rss, rssAfter: after.rss, perConnection },
  }),
);
process.exit(0);
