/**
 * Scale-out benchmark: the pool as one process (the default: Stratum, writer and API
 * together, shares straight into the database) against Stratum nodes and a writer as
 * separate processes joined by NATS JetStream (the machine's server, BENCH_NATS_URL or
 * 127.0.0.1:4222; a stream of this run's own, removed after). For each layout:
 *   1. aggregate accepted shares/s over LOAD_CONNECTIONS connections spread over the
 *      Stratum nodes, as fast as they answer (closed loop), with reply latency;
 *   2. at a paced rate, the time from a share's acceptance (its time) to its storage
 *      (its batch's stored_at), p50 / p99 / max over every share of the run.
 * Every process, the load generator, NATS and PostgreSQL share this machine's cores.
 * The floor, in the same run: the same closed loop against a bare TCP server that
 * answers every line (floor-server.ts).
 * Run: pnpm bench (prints its table and records it in bench-results/scale-out.json).
 * BENCH_QUICK=1 runs a small version.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startDevNode } from '../src/dev/devchain/node.ts';
import { encodeNotification } from '../src/stratum/messages.ts';
import { encodeCompact, targetFromDifficulty } from '../src/work/target.ts';
import { freePort } from '../test/helpers/embedded-postgres.ts';
import { postgresServer, scratchDatabase, type ScratchDatabase } from '../test/helpers/postgres.ts';
import { startPoolProcess, untilListening, type TestProcess } from '../test/helpers/processes.ts';
import { ratio, startBench } from '../../scripts/bench-record.ts';
import { connectMany, LOAD_WORKER } from './stratum-miner.ts';
import { throughput, type Throughput } from './stratum-throughput.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const LOAD_CONNECTIONS = QUICK ? 20 : 200;
const IN_FLIGHT = 16;
const SECONDS = QUICK ? 1 : 10;
const PACED_RATE = QUICK ? 1_000 : 5_000;
const PAYOUT_ADDRESS = LOAD_WORKER.split('.')[0] ?? '';

const bench = startBench({
  id: 'scale-out',
  title: 'Scale-out',
  about:
    "The pool as one process (Stratum, writer and API together, shares straight into PostgreSQL: the default) against Stratum nodes and a writer as separate processes of `bin/hashwatt.js`, joined by the machine's NATS server with JetStream. The load generator is the Stratum benchmark's (real, fully validated shares at a difficulty every hash meets), its connections split evenly over the Stratum nodes, as fast as they answer. Acceptance to storage is measured for every share of a paced run: from the share's time (when the node accepted it) to its batch's `stored_at` in PostgreSQL. Every run must store every accepted share, the same count before and after the processes stop, or the benchmark fails. The floor is the same closed loop against a bare TCP server that answers every line (`bench/floor-server.ts`). Every process, NATS, PostgreSQL and the load generator share the machine's cores.",
  notes: [
    "What the figures can and cannot say: acceptance to storage is the share writer's batching (a batch every `ledger.flushIntervalMs`: the median about half of it) plus, through NATS, the publish, JetStream's file store, the writer's pull and its ack. Throughput cannot grow with a second node on one machine: the load generator needs a large part of the cores, and splitting the pool into processes adds work (each batch serialized to JSON, stored by JetStream on disk, read back and parsed by the writer) on the same cores, so the one-process layout is fastest on one machine and is what `pnpm start` runs. The benchmark proves the path and measures its cost; it cannot put the nodes on machines of their own. The node id claim is renewed every 10 s and HAProxy is not in this path (`haproxy.test.ts` proves the PROXY path, not its speed).",
    "How the design grows to many machines: Stratum nodes share nothing but the node's templates and NATS, so they scale by adding nodes behind the balancer (`docker/compose.scaled.yaml`), up to 255 node ids. The ledger stream is a work queue whose subjects carry the node id (`<prefix>.<node>.batch`): more writers on the same durable consumer share its messages (each batch is stored once by id, in any order); past one stream's throughput, one stream per group of node ids, replicated over a three-node NATS cluster so that losing a NATS server loses nothing acknowledged; the API's reads can go to streaming replicas or, on TimescaleDB, continuous aggregates. The one serialization point left is a found block's PPLNS window, which waits for the batch holding the block's share, once per block.",
  ],
  command:
    'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres pnpm --filter @hashwatt/pool-server exec tsx bench/scale-out.ts',
  conditions: {
    'load connections': LOAD_CONNECTIONS,
    'submits in flight per connection': IN_FLIGHT,
    'seconds per throughput phase': SECONDS,
    'paced rate for acceptance → storage, shares/s': PACED_RATE,
    'niceness of the pool processes and the floor server': 'as the benchmark process (inherited)',
    'niceness of NATS and PostgreSQL': 'as the machine runs them',
    // bin/hashwatt.js runs the compiled dist/ unless told to read the TypeScript sources.
    'NODE_OPTIONS of the pool processes': process.env.NODE_OPTIONS ?? '(none)',
  },
});

interface Layout {
  readonly name: string;
  /** Stratum nodes; with `nats`, a writer process besides them. */
  readonly stratumNodes: number;
  readonly nats: boolean;
}

const LAYOUTS: readonly Layout[] = [
  { name: 'one process, shares straight to PostgreSQL', stratumNodes: 1, nats: false },
  { name: 'one Stratum node + one writer, through NATS', stratumNodes: 1, nats: true },
  { name: 'two Stratum nodes + one writer, through NATS', stratumNodes: 2, nats: true },
];

interface Result {
  readonly layout: string;
  readonly closedLoop: Throughput;
  readonly paced: Throughput;
  /** Shares stored once the load stopped, and after the processes stopped: the stop loses none. */
  readonly storedBeforeStop: number;
  readonly stored: number;
  /** Undefined when no share of the paced run was found stored with its batch: nothing measured it. */
  readonly storage: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number } | undefined;
}

const postgres = await postgresServer();
const node = await startDevNode({
  host: '127.0.0.1',
  rpcPort: 0,
  rpcUser: 'bench',
  rpcPassword: 'bench',
  zmqPort: undefined,
  // No share of the load generator may be a block: the chain must not move under it.
  bits: encodeCompact(targetFromDifficulty(1_000_000)),
  networkBlockIntervalMs: 0,
  transactionIntervalMs: 0,
  mempoolSize: 0,
});
const folder = mkdtempSync(path.join(tmpdir(), 'hashwatt-scale-bench-'));
const streams: string[] = [];
/** A clean-job notify line from the pool, for the floor server to hand its miners. */
let notifyLine = '';

async function storedShares(database: ScratchDatabase): Promise<number> {
  const { rows } = await database.db.query<{ n: string }>('SELECT count(*)::text AS n FROM shares');
  return Number(rows[0]?.n ?? 0);
}

async function run(layout: Layout, index: number): Promise<Result> {
  const database = await scratchDatabase(postgres.url, 'hashwatt_scale_bench');
  const stream = `HASHWATT_BENCH_${String(index)}_${String(process.pid)}`;
  streams.push(stream);
  const common = {
    HASHWATT_NODE_RPC_URL: node.rpcUrl,
    HASHWATT_NODE_RPC_USER: 'bench',
    HASHWATT_NODE_RPC_PASSWORD: 'bench',
    HASHWATT_POOL_PAYOUT_ADDRESS: PAYOUT_ADDRESS,
    HASHWATT_LOG_LEVEL: 'error',
    HASHWATT_STRATUM_HOST: '127.0.0.1',
    HASHWATT_STRATUM_MAX_CONNECTIONS_PER_ADDRESS: '100000',
    HASHWATT_STRATUM_MIN_DIFFICULTY: '0.000000000001',
    HASHWATT_API_ENABLED: 'false',
    HASHWATT_PAYOUTS_ENABLED: 'false',
    ...(layout.nats && {
      HASHWATT_NATS_URL: NATS_URL,
      HASHWATT_NATS_STREAM: stream,
      HASHWATT_NATS_SUBJECT_PREFIX: `hashwatt.bench${String(index)}x${String(process.pid)}`,
    }),
  };
  const processes: TestProcess[] = [];
  const ports: number[] = [];
  for (let nodeId = 1; nodeId <= layout.stratumNodes; nodeId += 1) {
    const port = await freePort();
    const stratumNode = startPoolProcess({
      ...common,
      HASHWATT_ROLES: layout.nats ? 'stratum' : 'stratum,writer,api',
      HASHWATT_STRATUM_NODE_ID: String(nodeId),
      HASHWATT_STRATUM_PORT: String(port),
      HASHWATT_DATA_DIR: path.join(folder, `${String(index)}-node-${String(nodeId)}`),
      ...(!layout.nats && { HASHWATT_DATABASE_URL: database.url }),
    });
    processes.push(stratumNode);
    await untilListening(stratumNode, port);
    ports.push(port);
  }
  if (layout.nats) {
    processes.push(
      startPoolProcess({
        ...common,
        HASHWATT_ROLES: 'writer',
        HASHWATT_DATABASE_URL: database.url,
        HASHWATT_DATA_DIR: path.join(folder, `${String(index)}-writer`),
      }),
    );
  }
  const perNode = LOAD_CONNECTIONS / ports.length;
  const miners = (
    await Promise.all(ports.map((port, nodeIndex) => connectMany(port, perNode, 1e-12, nodeIndex * perNode)))
  ).flat();
  notifyLine ||= encodeNotification('mining.notify', [...(miners[0]?.job ?? []).slice(0, -1), true]);
  const closedLoop = await throughput(miners, { inFlight: IN_FLIGHT, seconds: SECONDS });
  await untilStored(database, 120_000);
  const pacedFrom = new Date();
  const paced = await throughput(miners, { rate: PACED_RATE, inFlight: IN_FLIGHT, seconds: SECONDS });
  const storedBeforeStop = await untilStored(database, 60_000);
  const { rows } = await database.db.query<{ p50: number | null; p99: number | null; max: number | null }>(
    `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY lag) AS p50,
            percentile_cont(0.99) WITHIN GROUP (ORDER BY lag) AS p99, max(lag) AS max
       FROM (SELECT (extract(epoch FROM b.stored_at - s.time) * 1000)::float8 AS lag
               FROM shares s JOIN share_batches b ON b.id = s.batch_id WHERE s.time >= $1) lags`,
    [pacedFrom],
  );
  for (const miner of miners) {
    miner.socket.destroy();
  }
  for (const started of processes) {
    await started.stop();
  }
  const stored = await storedShares(database);
  await database.drop();
  return {
    layout: layout.name,
    closedLoop,
    paced,
    storedBeforeStop,
    stored,
    storage: storageLag(rows[0]),
  };
}

/** The percentiles of acceptance → storage; over no rows PostgreSQL gives nulls, which are no figure. */
function storageLag(
  row: { p50: number | null; p99: number | null; max: number | null } | undefined,
): Result['storage'] {
  if (row === undefined || row.p50 === null || row.p99 === null || row.max === null) {
    return undefined;
  }
  return { p50Ms: row.p50, p99Ms: row.p99, maxMs: row.max };
}

/** Waits until the stored count stops growing; returns it. */
async function untilStored(database: ScratchDatabase, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  for (;;) {
    const count = await storedShares(database);
    if (count === last || Date.now() > deadline) {
      return count;
    }
    last = count;
    await sleep(1_500);
  }
}

/** The closed loop against a bare TCP server that answers every line, in its own process. */
async function floorRun(): Promise<Throughput> {
  const server = fork(new URL('./floor-server.ts', import.meta.url), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NOTIFY_LINE: notifyLine },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('message', (message: { port: number }) => {
      resolve(message.port);
    });
    server.once('exit', (code) => {
      reject(new Error(`the floor server exited (${String(code)})`));
    });
  });
  const miners = await connectMany(port, LOAD_CONNECTIONS, 1e-12);
  const closedLoop = await throughput(miners, { inFlight: IN_FLIGHT, seconds: SECONDS });
  for (const miner of miners) {
    miner.socket.destroy();
  }
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.send({ kind: 'stop' });
  await exited;
  return closedLoop;
}

const results: Result[] = [];
let floor: Throughput | undefined;
try {
  for (const [index, layout] of LAYOUTS.entries()) {
    results.push(await run(layout, index));
  }
  floor = await floorRun();
} finally {
  const nc = await connect({ servers: NATS_URL });
  const jsm = await jetstreamManager(nc);
  for (const stream of streams) {
    await jsm.streams.delete(stream).catch(() => false);
  }
  await nc.close();
  await node.stop();
  await postgres.stop();
  rmSync(folder, { recursive: true, force: true });
}

const ms = (value: number): string => value.toFixed(1);
const floorRate = floor.sharesPerSecond;
bench.finish({
  columns: [
    'layout',
    'accepted shares/s, closed loop',
    '÷ floor',
    'reply p50 / p99, ms',
    `acceptance → storage at ${PACED_RATE.toLocaleString('en-US')}/s, p50 / p99 / max, ms`,
  ],
  rows: [
    ...results.map((result) => ({
      cells: [
        result.layout,
        Math.round(result.closedLoop.sharesPerSecond).toLocaleString('en-US'),
        ratio(result.closedLoop.sharesPerSecond, floorRate),
        `${ms(result.closedLoop.p50Ms)} / ${ms(result.closedLoop.p99Ms)}`,
        result.storage === undefined
          ? 'unknown: no share of the paced run found stored with its batch'
          : `${ms(result.storage.p50Ms)} / ${ms(result.storage.p99Ms)} / ${ms(result.storage.maxMs)}`,
      ],
    })),
    {
      floor: true,
      cells: [
        'bare TCP server answering every line, no pool',
        Math.round(floorRate).toLocaleString('en-US'),
        ratio(1, 1),
        `${ms(floor.p50Ms)} / ${ms(floor.p99Ms)}`,
        '—',
      ],
    },
  ],
});
for (const result of results) {
  if (result.stored !== result.storedBeforeStop) {
    console.error(
      `${result.layout}: ${String(result.stored)} shares stored after the stop, ${String(result.storedBeforeStop)} before`,
    );
    process.exit(1);
  }
}
process.exit(0);
