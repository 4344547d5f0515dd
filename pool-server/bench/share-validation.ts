/**
 * Share-validation benchmark: validated shares per second on one core, and bytes
 * allocated per share, for each share hash engine. The job has 12 merkle branches
 * (a block of 2,049-4,096 transactions) and the coinbase hashwatt builds for a real
 * testnet template; every share has a fresh extranonce2 and nonce, so nothing can be
 * reused between shares. Run: pnpm bench (prints its table and records it in
 * bench-results/share-validation.json).
 */
import { hash, randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import { templateVectors } from '../test/helpers/vectors.ts';
import { ratio, startBench } from '../../scripts/bench-record.ts';
import { buildCoinbase } from '../src/work/coinbase.ts';
import { createJob } from '../src/work/job.ts';
import { JobRegistry, MAX_ALIASES } from '../src/work/job-registry.ts';
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

const bench = startBench({
  id: 'share-validation',
  title: 'Share validation',
  about: `Validated shares per second on one core, and bytes allocated per share, for each share hash engine the machine has. The job has ${String(BRANCHES)} merkle branches (a block of 2,049-4,096 transactions) and the ${String(coinbaseBytes)}-byte coinbase hashwatt builds for the recorded public-pool testnet3 template. Every share carries a fresh extranonce2 and nonce, so nothing is reused between shares, and meets its target, so each runs the whole accepted path: parse the params, find the job, check ntime and version bits, hash, compare with the share and network targets, record for duplicate detection, build the result. The floor is one bare crypto.hash sha256d of 64 bytes; validation counts only a fraction of a share's cost in the pool (see the Stratum benchmark).`,
  notes: [
    'How the engine was chosen: a share with 12 branches needs about 42 SHA-256 compressions (coinbase 3, branches 12 × 3, header 3). node:crypto costs a fixed overhead per call and a share needs 28 calls; software SHA-256 (C or WebAssembly, tried during the design) costs about as much per compression as the CPU without SHA extensions allows; with the SHA extensions one native call per share that folds coinbase, merkle branch and header is several times faster. So the pool uses the native addon (`pool-server/native/share-hash.c`, built at `pnpm install`): SHA-NI when the CPU has it, portable C otherwise, node:crypto when no C compiler was available. All three are tested against the same real vectors and against each other on random jobs. Caching per job or per extranonce2 is not needed, and a fresh extranonce2 per share, which cgminer-family firmware sends, would defeat an extranonce2 cache anyway.',
    'Allocation per accepted share comes from the result object, the copied header and hash, and the duplicate-detection key; the hashing itself allocates nothing.',
  ],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/share-validation.ts',
  conditions: {
    'shares per run (BENCH_SHARES)': SHARES_PER_RUN,
    'runs, median taken (BENCH_RUNS), after one warm-up run': RUNS,
    'merkle branches': BRANCHES,
  },
});

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

/** A job of its own in a registry of its own, and `aliases` aliases of it: the id the shares name is the last one. */
let jobCounter = 0;
function registryWithJob(aliases: number): { registry: JobRegistry; submitId: string } {
  const jobId = (++jobCounter).toString(16);
  const registry = new JobRegistry();
  registry.add(createJob(jobId, template, coinbase, true));
  let submitId = jobId;
  for (let count = 0; count < aliases; count++) {
    const alias = registry.alias(jobId);
    if (alias === undefined) {
      throw new Error(`the registry held only ${String(count)} aliases`);
    }
    submitId = alias;
  }
  return { registry, submitId };
}

/** `aliases` > 0: the shares name the job by its last alias, as a session whose difficulty changed does. */
function runValidation(hasher: ShareHasher, aliases = 0): Measurement {
  const { registry, submitId } = registryWithJob(aliases);
  const submits = makeSubmits(SHARES_PER_RUN, submitId);
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

/**
 * A new block's job added while the job it retires holds MAX_ALIASES aliases: ms, the
 * median of 21. The Stratum thread does it as the block comes, before any miner hears of it.
 */
function retireWithAliases(): number {
  const times = Array.from({ length: 21 }, () => {
    const { registry } = registryWithJob(MAX_ALIASES);
    const next = createJob((++jobCounter).toString(16), template, coinbase, true);
    const start = process.hrtime.bigint();
    registry.add(next);
    return Number(process.hrtime.bigint() - start) / 1e6;
  });
  return median(times);
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

const rows: (Measurement & { name: string; floor?: boolean })[] = [];
for (const engine of availableShareHashEngines()) {
  const hasher = createShareHasher(engine);
  rows.push({ name: `validateShare on ${engine}`, ...repeat(() => runValidation(hasher)) });
}
const best = createShareHasher();
rows.push({
  name: `validateShare on ${best.engine}, the job named by an alias (${MAX_ALIASES.toLocaleString('en-US')} held)`,
  ...repeat(() => runValidation(best, MAX_ALIASES)),
});
rows.push({ name: 'duplicate filter alone: ShareKeySet.add of a fresh key', ...repeat(runDuplicateFilter) });
const floor = { name: 'one crypto.hash sha256d of 64 bytes', floor: true, ...repeat(runFloor) };
rows.push(floor);

bench.finish({
  conditions: {
    [`a new block's job added while the job it retires holds ${MAX_ALIASES.toLocaleString('en-US')} aliases (JobRegistry.add, on the Stratum thread as the block comes), ms, median of 21`]:
      retireWithAliases().toFixed(3),
  },
  columns: ['case', 'shares/s (one core)', '÷ floor', 'heap bytes/share', 'external bytes/share'],
  rows: rows.map((row) => ({
    cells: [
      row.name,
      Math.round(row.sharesPerSecond).toLocaleString('en-US'),
      ratio(row.sharesPerSecond, floor.sharesPerSecond),
      row.heapBytesPerShare.toFixed(0),
      row.externalBytesPerShare.toFixed(0),
    ],
    floor: row.floor,
  })),
});
