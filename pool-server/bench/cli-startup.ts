/**
 * How long the `hashwatt` command takes to start, compiled (dist/, what `pnpm start`, the
 * bin and the images run) and from the TypeScript sources through tsx (what the tests
 * run): `hashwatt --help` to its exit, and `hashwatt pool` from exec to its "ready for
 * miners" log line (the Stratum port listens). BENCH_CLI_RUNS runs of each (10; 3 with
 * BENCH_QUICK=1), median and max, wall and CPU time.
 *
 * The floor: `node -e ''`, Node's own start-up, in the same run.
 *
 * It builds the packages first (tsc -b without the type check, then the assets), so the
 * compiled figures are this checkout's. The pool runs on the devchain and a scratch
 * database on DATABASE_URL's server (else an embedded one started here), so the embedded
 * PostgreSQL's start and the demo farm are not in its figures.
 *
 * Run: pnpm bench (prints its table and records it in bench-results/cli-startup.json).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROC_TICKS_PER_SECOND, procStatFields } from '../src/roles/thread-cpu.ts';
import { freePoolPorts, poolPlacement } from '../test/helpers/processes.ts';
import { postgresServer, scratchDatabase } from '../test/helpers/postgres.ts';
import { ratio, startBench, type BenchRow } from '../../scripts/bench-record.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? (QUICK ? 3 : 10));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = path.join(ROOT, 'pool-server/bin/hashwatt.js');
const SOURCE = '--conditions=@hashwatt/source';
const READY = 'pool: ready for miners';
const TIME = '/usr/bin/time';

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

interface Case {
  readonly name: string;
  readonly command: string;
  readonly samples: Sample[];
  readonly floor?: boolean;
}

const bench = startBench({
  id: 'cli-startup',
  title: 'hashwatt start-up: compiled and from TypeScript sources',
  about:
    "How long the `hashwatt` command takes to start: `hashwatt --help` to its exit, and `hashwatt pool` from exec to its 'ready for miners' log line (the Stratum port listens), each compiled (dist/, which `pnpm start`, the bin and the Docker images run) and from the TypeScript sources through tsx (as the tests run it). Wall time from spawn; CPU time is user + system of the process (for --help to its exit, for the pool up to the ready line). The floor is `node -e ''`, Node's own start-up.",
  notes: [
    'The pool runs on the devchain and a scratch database on an already running PostgreSQL: the embedded PostgreSQL start-up and the demo farm are not in its figures.',
    'The benchmark builds the packages (tsc -b --noCheck, then the assets) before it measures.',
  ],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/cli-startup.ts',
  conditions: { 'runs of each case (BENCH_CLI_RUNS)': RUNS },
});

/** The child's environment: our source condition only where the case asks for it, in its arguments. */
function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete environment.NODE_OPTIONS;
  return environment;
}

/** A command that exits by itself, under GNU time for its CPU time. */
function timedExit(args: readonly string[]): Promise<Sample> {
  const report = path.join(os.tmpdir(), `hashwatt-cli-startup-${String(process.pid)}.time`);
  const started = process.hrtime.bigint();
  const child = spawn(TIME, ['-f', '%U %S', '-o', report, process.execPath, ...args], {
    cwd: ROOT,
    env: childEnvironment(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      reject(new Error(`cannot run ${TIME} (Debian's time package): ${error.message}`));
    });
    child.once('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) {
        reject(new Error(`node ${args.join(' ')} exited ${String(code)}: ${errors}`));
        return;
      }
      const [user = 0, system = 0] = readFileSync(report, 'utf8').trim().split(/\s+/).map(Number);
      rmSync(report, { force: true });
      resolve({ wallMs, cpuMs: (user + system) * 1000 });
    });
  });
}

/** user + system time of a running process so far, from /proc (Linux). */
function processCpuMs(pid: number): number {
  const fields = procStatFields(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / PROC_TICKS_PER_SECOND;
}

/**
 * `hashwatt pool` until its ready line, then stopped; fresh ports for each run. The runs
 * share the database and the data folder, which holds the report signing key the
 * database registered at the first start.
 */
async function poolToReady(args: readonly string[], databaseUrl: string, dataDir: string): Promise<Sample> {
  const placement = poolPlacement(databaseUrl, dataDir, await freePoolPorts());
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...args, BIN, 'pool'], {
    cwd: ROOT,
    env: childEnvironment({ ...placement, HASHWATT_LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    return await new Promise<Sample>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no '${READY}' within 120 s:\n${output}`));
      }, 120_000);
      const read = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        if (output.includes(READY) && child.pid !== undefined) {
          clearTimeout(timer);
          resolve({
            wallMs: Number(process.hrtime.bigint() - started) / 1e6,
            cpuMs: processCpuMs(child.pid),
          });
        }
      };
      child.stdout.on('data', read);
      child.stderr.on('data', read);
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`hashwatt pool exited (${String(code)}) before it was ready:\n${output}`));
      });
    });
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  }
}

function build(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json', '--noCheck'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, ['scripts/build-assets.mjs'], { cwd: ROOT, stdio: 'inherit' });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};
const ms = (value: number): string => value.toFixed(0);

build();
const server = await postgresServer();
const database = await scratchDatabase(server.url, 'hashwatt_cli_startup');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'hashwatt-cli-startup-'));
const cases: Case[] = [
  { name: "node -e '' (floor)", command: "node -e ''", samples: [], floor: true },
  { name: 'hashwatt --help, compiled', command: 'node pool-server/bin/hashwatt.js --help', samples: [] },
  {
    name: 'hashwatt --help, sources through tsx',
    command: `node ${SOURCE} pool-server/bin/hashwatt.js --help`,
    samples: [],
  },
  { name: 'hashwatt pool to ready, compiled', command: 'node pool-server/bin/hashwatt.js pool', samples: [] },
  {
    name: 'hashwatt pool to ready, sources through tsx',
    command: `node ${SOURCE} pool-server/bin/hashwatt.js pool`,
    samples: [],
  },
];
const measures: readonly (() => Promise<Sample>)[] = [
  () => timedExit(['-e', '']),
  () => timedExit([BIN, '--help']),
  () => timedExit([SOURCE, BIN, '--help']),
  () => poolToReady([], database.url, dataDir),
  () => poolToReady([SOURCE], database.url, dataDir),
];
try {
  // Round-robin, so a burst of load elsewhere on the machine spreads over every case.
  for (let run = 0; run < RUNS; run += 1) {
    for (const [index, measure] of measures.entries()) {
      cases[index]?.samples.push(await measure());
    }
  }
} finally {
  await database.drop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const floorWall = median(cases[0]?.samples.map((sample) => sample.wallMs) ?? []);
const rows: BenchRow[] = cases.map(({ name, command, samples, floor }) => {
  const wall = samples.map((sample) => sample.wallMs);
  const cpu = samples.map((sample) => sample.cpuMs);
  return {
    floor: floor === true,
    cells: [
      name,
      `\`${command}\``,
      ms(median(wall)),
      ms(Math.max(...wall)),
      ms(median(cpu)),
      ms(Math.max(...cpu)),
      ratio(median(wall), floorWall),
    ],
  };
});
const columns = [
  'case',
  'command',
  'wall median, ms',
  'wall max, ms',
  'CPU median, ms',
  'CPU max, ms',
  '÷ floor (wall median)',
];
bench.finish({ columns, rows });
