/**
 * The pool under load, in its own processes so that their CPU and memory are their
 * own: started by stratum-load.ts with an IPC channel. It runs the whole pool on the
 * devchain (BENCH_PROCESSES Stratum processes; the devchain's difficulty
 * BENCH_DEVCHAIN_DIFFICULTY, by default one no load share meets) and answers requests
 * for the memory of its processes, their CPU and the Stratum event loop's delay, the
 * shares its database holds, and network blocks. BENCH_STRATUM_V2=1 also opens Stratum V2
 * (stratum.v2Port) and caps vardiff at the easiest difficulty a 256-bit target allows, so
 * that every hash is a share on V2 channels too (V2 has no d=N); `ready` then carries the
 * V2 port and the data folder, where the authority key miners pin is.
 * BENCH_STRATUM_THREAD=false runs Stratum on the main thread (stratum.thread), where a
 * collection asked for before an RSS reading reaches the connections' objects too.
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { start } from '../src/roles/pool.ts';
import { REPLY_BUCKETS_MS, type BucketCounts } from '../src/roles/stratum-vitals.ts';
import { difficultyFromTarget } from '../src/work/target.ts';
import { freePort } from '../test/helpers/embedded-postgres.ts';
import { connectedBlock, type ConnectedBlock } from './found-shares.ts';
import { watchLoad, type ProcessLoad } from './process-load.ts';
import { now } from './stratum-miner.ts';

/**
 * What the pool reports under load: its processes' CPU, and the delay of the event loop
 * that runs Stratum, which `loop` names: the Stratum thread's (from the pool's
 * stratumVitals()), or this process's main thread when the pool offers none.
 */
export type PoolLoad = ProcessLoad & {
  readonly loop: 'Stratum thread' | 'main thread';
  /** This process's main thread's loop delay p99, ms: storage, the API and the devchain run there when Stratum has a thread. */
  readonly mainLoopDelayP99Ms: number;
  /** Since the last report: for each block found, ms to its submitblock sent as the pool times it; undefined without the Stratum thread's vitals. */
  readonly blockSubmitMs: readonly number[] | undefined;
  /** Blocks the devchain connected since the last report (the pool's found blocks: no network blocks come unasked). */
  readonly blocksConnected: readonly ConnectedBlock[];
  readonly storedBatches: number | undefined;
  readonly storeRoundTripP99Ms: number | undefined;
  /**
   * Since the last report: the bucket bound (REPLY_BUCKETS_MS) under which 99 % of the shares'
   * replies left the Stratum thread, timed from the share handled to its commit; the part of a
   * reply's latency spent inside the thread once it read the share. Undefined without shares.
   */
  readonly replyWaitP99AtMostMs: number | undefined;
  /**
   * The CPU time so far of the one thread that runs Stratum (the pool's counters, from
   * /proc/thread-self), ms in 10 ms steps; undefined when the pool offers no counters.
   */
  readonly stratumThreadCpuMs: number | undefined;
};

interface Request {
  readonly kind: 'rss' | 'load' | 'stored' | 'network-block' | 'stop';
  /** 'rss': a full collection first (Node started with --expose-gc), so that garbage is not counted. */
  readonly collect?: boolean;
}

/** This process and its Stratum processes (stratum.processes > 1 forks them). */
function poolPids(): number[] {
  const workers = Object.values(cluster.workers ?? {}).map((worker) => worker?.process.pid ?? 0);
  return [process.pid, ...workers].filter((pid) => pid > 0);
}

/** Resident memory of a process, from /proc (Linux). */
function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib ?? 0) * 1024;
}

// A folder of its own each run: no state of an earlier run (or its stale lock) in the database.
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-bench-'));
const config = loadConfig({
  HASHWATT_DATA_DIR: dataDir,
  HASHWATT_LOG_LEVEL: 'error',
  // Not the default port: a `pnpm start` on the same machine must not stop the benchmark.
  HASHWATT_DATABASE_EMBEDDED_PORT: String(await freePort()),
  // Any free port: a pool or test on the same machine may hold the default.
  HASHWATT_API_PORT: '0',
  HASHWATT_STRATUM_HOST: '127.0.0.1',
  HASHWATT_STRATUM_PORT: '0',
  HASHWATT_STRATUM_PROCESSES: process.env.BENCH_PROCESSES ?? '1',
  HASHWATT_STRATUM_MAX_CONNECTIONS_PER_ADDRESS: '100000',
  HASHWATT_STRATUM_MIN_DIFFICULTY: '0.000000000001',
  HASHWATT_DEVCHAIN_RPC_PORT: '0',
  HASHWATT_DEVCHAIN_ZMQ_PORT: '0',
  // By default no share of the load generator may be a block: the chain must not move under
  // it. The found-block phase sets a difficulty some of its shares meet.
  HASHWATT_DEVCHAIN_DIFFICULTY: process.env.BENCH_DEVCHAIN_DIFFICULTY ?? '1000000',
  HASHWATT_DEVCHAIN_NETWORK_BLOCK_SECONDS: '0',
  HASHWATT_DEVCHAIN_TRANSACTION_SECONDS: '0',
  // How often batches are sealed and stored (ledger.flushIntervalMs): storage's share of the cores comes in that rhythm.
  ...(process.env.BENCH_LEDGER_FLUSH_INTERVAL_MS !== undefined && {
    HASHWATT_LEDGER_FLUSH_INTERVAL_MS: process.env.BENCH_LEDGER_FLUSH_INTERVAL_MS,
  }),
  ...(process.env.BENCH_STRATUM_THREAD === 'false' && { HASHWATT_STRATUM_THREAD: 'false' }),
  ...(process.env.BENCH_STRATUM_V2 === '1' && {
    HASHWATT_STRATUM_V2_PORT: '0',
    // A V2 channel's difficulty is vardiff's, at least what max_target allows (all ones
    // from the benchmark's miners): capped at that, it stays where every hash meets it.
    HASHWATT_STRATUM_MAX_DIFFICULTY: String(difficultyFromTarget(2n ** 256n - 1n)),
  }),
});
const pool = await start(config, pino({ level: config.logLevel }));
// With the embedded database every Stratum process's writer stores into it.
const { db } = pool;
if (!db) {
  throw new Error('the benchmark pool has no database to count its stored shares in');
}
// This process's event loop and garbage collector: the pool's main thread.
const load = watchLoad();
let blocksConnected: ConnectedBlock[] = [];
const chain = pool.devnode?.chain;
chain?.onBlockConnected((hash) => {
  const block = chain.blockByHash(hash);
  if (block) {
    blocksConnected.push(connectedBlock(now(), block.raw));
  }
});
let replyWaitBefore: BucketCounts | undefined;
/** The p99 bucket of the replies' waits counted since the last call; `now`: the counts so far. */
function replyWaitP99AtMostMs(now: BucketCounts | undefined): number | undefined {
  const before = replyWaitBefore;
  replyWaitBefore = now;
  if (!now) {
    return undefined;
  }
  const counts = now.counts.map((count, index) => count - (before?.counts[index] ?? 0));
  const total = counts.reduce((sum, count) => sum + count, 0);
  let seen = 0;
  for (const [index, count] of counts.entries()) {
    seen += count;
    if (total > 0 && seen >= total * 0.99) {
      return REPLY_BUCKETS_MS[index] ?? Number.POSITIVE_INFINITY;
    }
  }
  return undefined;
}
async function poolLoad(): Promise<PoolLoad> {
  // Undefined when the pool runs no Stratum thread in this process.
  const vitals = await pool.stratumVitals();
  const counters = await pool.stratumCounters();
  const replyWait = replyWaitP99AtMostMs(counters?.replyMs);
  const own = load([process.pid]);
  const connected = blocksConnected;
  blocksConnected = [];
  return {
    ...own,
    ...(vitals && { loopDelayP99Ms: vitals.loopDelayP99Ms, loopDelayMaxMs: vitals.loopDelayMaxMs }),
    loop: vitals ? 'Stratum thread' : 'main thread',
    mainLoopDelayP99Ms: own.loopDelayP99Ms,
    blockSubmitMs: vitals?.blockSubmitMs,
    blocksConnected: connected,
    storedBatches: vitals?.storedBatches,
    storeRoundTripP99Ms: vitals?.storeRoundTripP99Ms,
    replyWaitP99AtMostMs: replyWait,
    stratumThreadCpuMs:
      counters?.threadCpuSeconds === undefined ? undefined : counters.threadCpuSeconds * 1000,
  };
}
const send = (message: unknown): void => {
  process.send?.(message);
};
process.on('message', (request: Request) => {
  switch (request.kind) {
    case 'rss': {
      if (request.collect === true) {
        if (gc === undefined) {
          console.error(
            'stratum-server: a collection was asked for, but Node was started without --expose-gc',
          );
          process.exit(1);
        }
        gc();
      }
      const pids = poolPids();
      const { heapUsed, external } = process.memoryUsage();
      send({
        kind: 'rss',
        rss: pids.reduce((sum, pid) => sum + rssOf(pid), 0),
        processes: pids.length,
        // This thread's JavaScript heap in use and the buffers it holds: live objects only after a collection.
        live: heapUsed + external,
      });
      break;
    }
    case 'load':
      // A failed report ends this process, which fails the benchmark by name.
      poolLoad().then(
        (report) => {
          send({ kind: 'load', ...report });
        },
        (error: unknown) => {
          console.error('stratum-server: the load report failed', error);
          process.exit(1);
        },
      );
      break;
    case 'stored':
      // A batch row counts its shares. A failed count ends this process, which fails the benchmark by name.
      db.query<{ shares: string }>('SELECT coalesce(sum(share_count), 0) AS shares FROM share_batches').then(
        ({ rows }) => {
          send({ kind: 'stored', shares: Number(rows[0]?.shares) });
        },
        (error: unknown) => {
          console.error('stratum-server: counting stored shares failed', error);
          process.exit(1);
        },
      );
      break;
    case 'network-block':
      // Timed from the moment the node has the block, as bitcoind's announcement would be:
      // building it (3-7 ms here) is the devchain standing in for the network, not the pool.
      pool.devnode?.chain.addNetworkBlock();
      send({ kind: 'network-block', at: performance.timeOrigin + performance.now() });
      break;
    case 'stop':
      void pool
        .stop()
        .then(() => rm(dataDir, { recursive: true, force: true }))
        .then(() => process.exit(0));
      break;
  }
});
send({ kind: 'ready', port: pool.stratumPort, sv2Port: pool.sv2Port, dataDir, pid: process.pid });
