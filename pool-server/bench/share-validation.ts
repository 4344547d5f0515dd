/**
 * Share-validation benchmark: validated shares per second on one core, and bytes
 * allocated per share, for each share hash engine. The job has 12 merkle branches
 * (a block of 2,049-4,096 transactions) and the coinbase hashwatt builds for a real
 * testnet template; every share has a fresh extranonce2 and nonce, so nothing can be
 * reused between shares. Run: pnpm bench (prints a table, then one JSON line).
 */
import { hash, randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import { templateVectors } from '../test/helpers/vectors.ts';
import { gitSha, machine } from './run-info.ts';
import { buildCoinbase } from '../src/work/coinbase.ts';
import { createJob } from '../src/work/job.ts';
import { JobRegistry } from '../src/work/job-registry.ts';
import { availableShareHashEngines, createShareHasher, type ShareHasher } from '../src/work/share-hasher.ts';
import { ShareKeySet } from '../src/work/share-key-set.ts';
import { targetFromDifficulty, targetToBytesLE } from '../src/work/target.ts';
import { prepareTemplate } from '../src/work/template.ts';
import { validateShare, type ShareSession } from '../src/work/validate-share.ts';

const SHARES_PER_RUN = Number(process.env.BENCH_SHARES ?? 200_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BRANCHES = 12;

const recorded = templateVectors.find((vector) => vector.id.startsWith('public-pool-testnet3'));
if (!recorded) {
  throw new Error('the public-pool testnet3 template vector is missing');
}
const template = {
  ...prepareTemplate(recorded.response),
  merkleBranch: Array.from({ length: BRANCHES }, () => randomBytes(32)),
};
const coinbase = buildCoinbase(template, {
  poolTag: Buffer.from('/hashwatt/'),
  extranonce2Size: 8,
  payouts: [{ script: Buffer.from('0014274466e754a1c12d0a2d2cc34ceb70d8e017053a', 'hex'), weight: 1 }],
});
const coinbaseBytes = coinbase.coinb1.length + 4 + 8 + coinbase.coinb2.length;

// Every share meets this target, so each one takes the whole accepted path (hash, compare, record).
const session: ShareSession = {
  extranonce1: randomBytes(4),
  extranonce2Size: 8,
  versionMask: 0x1fffe000,
  shareTargetLE: targetToBytesLE(targetFromDifficulty(1e-30)),
};

function makeSubmits(count: number, jobId: string): string[][] {
  const ntime = template.curtime.toString(16).padStart(8, '0');
  return Array.from({ length: count }, (_, index) => [
    'bc1qexampleworker.rig1',
    jobId,
    randomBytes(8).toString('hex'),
    ntime,
    (index >>> 0).toString(16).padStart(8, '0'),
    '00002000',
  ]);
}

interface Measurement {
  sharesPerSecond: number;
  heapBytesPerShare: number;
  externalBytesPerShare: number;
}

/** Bytes allocated during `work`: heap growth between collections, summed over every GC. */
function measure(count: number, work: () => void): Measurement {
  const profiler = new v8.GCProfiler();
  const before = v8.getHeapStatistics();
  const external0 = process.memoryUsage().external;
  profiler.start();
  const start = process.hrtime.bigint();
  work();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const after = v8.getHeapStatistics();
  const external1 = process.memoryUsage().external;
  const { statistics } = profiler.stop();
  let heap = 0;
  let external = 0;
  let lastHeap = before.used_heap_size;
  let lastExternal = external0;
  for (const gc of statistics) {
    heap += Math.max(0, gc.beforeGC.heapStatistics.usedHeapSize - lastHeap);
    external += Math.max(0, gc.beforeGC.heapStatistics.externalMemory - lastExternal);
    lastHeap = gc.afterGC.heapStatistics.usedHeapSize;
    lastExternal = gc.afterGC.heapStatistics.externalMemory;
  }
  heap += Math.max(0, after.used_heap_size - lastHeap);
  external += Math.max(0, external1 - lastExternal);
  return {
    sharesPerSecond: count / elapsed,
    heapBytesPerShare: heap / count,
    externalBytesPerShare: external / count,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

let jobCounter = 0;
function runValidation(hasher: ShareHasher): Measurement {
  const jobId = (++jobCounter).toString(16);
  const registry = new JobRegistry();
  registry.add(createJob(jobId, template, coinbase, true));
  const submits = makeSubmits(SHARES_PER_RUN, jobId);
  let accepted = 0;
  const result = measure(SHARES_PER_RUN, () => {
    for (const params of submits) {
      if (validateShare(registry, session, hasher, params).ok) {
        accepted++;
      }
    }
  });
  if (accepted !== SHARES_PER_RUN) {
    throw new Error(`only ${String(accepted)} of ${String(SHARES_PER_RUN)} shares were accepted`);
  }
  return result;
}

function runFloor(): Measurement {
  const data = randomBytes(64);
  return measure(SHARES_PER_RUN, () => {
    for (let i = 0; i < SHARES_PER_RUN; i++) {
      data[0] = i;
      hash('sha256', hash('sha256', data, 'buffer'), 'buffer');
    }
  });
}

/** The duplicate filter alone: fresh random hashes into one job's set, its growth included. */
function runDuplicateFilter(): Measurement {
  const bytes = randomBytes(SHARES_PER_RUN * 32);
  const hashes = Array.from({ length: SHARES_PER_RUN }, (_, index) =>
    bytes.subarray(index * 32, index * 32 + 32),
  );
  const keys = new ShareKeySet();
  let added = 0;
  const result = measure(SHARES_PER_RUN, () => {
    for (const hash of hashes) {
      if (keys.add(hash)) {
        added++;
      }
    }
  });
  if (added !== SHARES_PER_RUN) {
    throw new Error(`only ${String(added)} of ${String(SHARES_PER_RUN)} fresh keys were added`);
  }
  return result;
}

function summarize(runs: Measurement[]): Measurement {
  return {
    sharesPerSecond: median(runs.map((run) => run.sharesPerSecond)),
    heapBytesPerShare: median(runs.map((run) => run.heapBytesPerShare)),
    externalBytesPerShare: median(runs.map((run) => run.externalBytesPerShare)),
  };
}

function repeat(run: () => Measurement): Measurement {
  run(); // warm-up: JIT and caches
  return summarize(Array.from({ length: RUNS }, run));
}

const rows: (Measurement & { name: string })[] = [];
for (const engine of availableShareHashEngines()) {
  const hasher = createShareHasher(engine);
  rows.push({ name: `validateShare on ${engine}`, ...repeat(() => runValidation(hasher)) });
}
rows.push({ name: 'floor: one crypto.hash sha256d of 64 bytes', ...repeat(runFloor) });
rows.push({ name: 'duplicate filter alone: ShareKeySet.add of a fresh key', ...repeat(runDuplicateFilter) });

const host = machine();
console.log(
  `share validation: ${String(BRANCHES)} merkle branches, ${String(coinbaseBytes)}-byte coinbase, fresh extranonce2 and nonce per share`,
);
console.log(`${host}; median of ${String(RUNS)} runs of ${String(SHARES_PER_RUN)} shares\n`);
console.log('| case | shares/s (one core) | heap bytes/share | external bytes/share |');
console.log('|---|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${Math.round(row.sharesPerSecond).toLocaleString('en-US')} | ${row.heapBytesPerShare.toFixed(0)} | ${row.externalBytesPerShare.toFixed(0)} |`,
  );
}
console.log(
  JSON.stringify({
    bench: 'share-validation',
    git: gitSha(),
    machine: host,
    date: new Date().toISOString(),
    rows,
  }),
);
