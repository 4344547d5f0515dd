/**
 * How every benchmark records its result: `startBench()` when it starts (the date and
 * the load average then), `finish()` with its one table when it ends. The result goes
 * to bench-results/<id>.json at the repository's root, untracked; `pnpm bench:docs`
 * turns those files into BENCHMARKS.md (scripts/bench-docs.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const RESULTS_DIR = path.resolve(import.meta.dirname, '..', 'bench-results');

export interface BenchMachine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  /** os.loadavg() (1, 5 and 15 minutes) when the benchmark started and when it ended. */
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

export interface BenchCondition {
  readonly name: string;
  readonly value: string;
}

export interface BenchRow {
  readonly cells: readonly string[];
  /** A bare-floor row: the least the machine does for the same measure, in the same run. */
  readonly floor?: boolean | undefined;
}

export interface BenchResult {
  readonly id: string;
  readonly title: string;
  /** What the benchmark measures: one short paragraph. */
  readonly about: string;
  /** Knowledge that still holds about the figures (why a design was chosen, what a case means). */
  readonly notes: readonly string[];
  /** The command that reruns it, from the repository's root, with the BENCH_* variables the run had. */
  readonly command: string;
  readonly date: string;
  readonly commit: string;
  readonly machine: BenchMachine;
  /** Each parameter and the niceness of every process that ran. */
  readonly conditions: readonly BenchCondition[];
  readonly columns: readonly string[];
  readonly rows: readonly BenchRow[];
  /** A BENCH_QUICK=1 run only proves the benchmark still works; its figures are not documented. */
  readonly quick: boolean;
}

export interface BenchStart {
  readonly id: string;
  readonly title: string;
  readonly about: string;
  readonly notes?: readonly string[];
  readonly command: string;
  /** Parameters and the niceness of the processes this one starts; this process's own is added. */
  readonly conditions: Readonly<Record<string, string | number>>;
}

export interface BenchTable {
  readonly columns: readonly string[];
  readonly rows: readonly BenchRow[];
  /** Conditions learnt while running (a server's version, a fill time). */
  readonly conditions?: Readonly<Record<string, string | number>>;
}

export interface BenchRun {
  /** Writes the result and prints its table; returns the file's path. */
  finish(table: BenchTable): string;
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

/** The BENCH_* variables and NODE_OPTIONS this run was given, as a command line's prefix; never a URL (it may hold a password). */
function sizingVariables(): string[] {
  return Object.entries(process.env)
    .filter(([name]) => (name.startsWith('BENCH_') && !name.endsWith('_URL')) || name === 'NODE_OPTIONS')
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => `${name}=${String(value)}`)
    .sort();
}

const loadAverage = (): number[] => os.loadavg().map((value) => Math.round(value * 100) / 100);

function conditionList(record: Readonly<Record<string, string | number>>): BenchCondition[] {
  return Object.entries(record).map(([name, value]) => ({
    name,
    value: typeof value === 'number' ? value.toLocaleString('en-US') : value,
  }));
}

/** Throws on a table the document could not show: every row as wide as the columns, a floor row. */
export function checkTable(id: string, { columns, rows }: BenchTable): void {
  if (columns.length === 0) {
    throw new Error(`benchmark ${id}: the table has no columns`);
  }
  for (const row of rows) {
    if (row.cells.length !== columns.length) {
      throw new Error(
        `benchmark ${id}: a row has ${String(row.cells.length)} cells for ${String(columns.length)} columns: ${row.cells.join(' | ')}`,
      );
    }
  }
  if (!rows.some((row) => row.floor === true)) {
    throw new Error(`benchmark ${id}: no floor row; every benchmark measures its bare floor in the same run`);
  }
}

export function startBench(start: BenchStart): BenchRun {
  if (!ID.test(start.id)) {
    throw new Error(`benchmark id '${start.id}' must be lower-case words joined by hyphens`);
  }
  const date = new Date().toISOString();
  const loadAverageStart = loadAverage();
  return {
    finish(table) {
      checkTable(start.id, table);
      const result: BenchResult = {
        id: start.id,
        title: start.title,
        about: start.about,
        notes: start.notes ?? [],
        command: [...sizingVariables(), start.command].join(' '),
        date,
        commit: gitCommit(),
        machine: {
          cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
          cores: os.cpus().length,
          memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
          node: process.version,
          loadAverageStart,
          loadAverageEnd: loadAverage(),
        },
        conditions: [
          ...conditionList(start.conditions),
          ...conditionList(table.conditions ?? {}),
          { name: 'niceness of the benchmark process', value: String(os.getPriority()) },
        ],
        columns: table.columns,
        rows: table.rows,
        quick: process.env.BENCH_QUICK === '1',
      };
      mkdirSync(RESULTS_DIR, { recursive: true });
      const file = path.join(RESULTS_DIR, `${start.id}.json`);
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      console.log(
        [
          `\n${result.title}: ${result.machine.cpu}, load average ${result.machine.loadAverageStart.join(' / ')} at the start`,
          `| ${result.columns.join(' | ')} |`,
          ...result.rows.map((row) => `| ${row.cells.join(' | ')} |${row.floor === true ? ' (floor)' : ''}`),
          `recorded in ${path.relative(process.cwd(), file)}`,
        ].join('\n'),
      );
      return file;
    },
  };
}

/** `value` over the floor's, as the tables print it: "0.58×". */
export function ratio(value: number, floor: number): string {
  return floor === 0 || !Number.isFinite(value / floor) ? '—' : `${(value / floor).toFixed(2)}×`;
}
