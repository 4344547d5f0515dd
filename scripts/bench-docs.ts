/**
 * `pnpm bench:docs`: BENCHMARKS.md updated with every result in bench-results/ (written
 * by `pnpm bench`), formatted as `pnpm lint` wants it. Quick runs (BENCH_QUICK=1) are
 * skipped: they prove a benchmark works, their figures describe nothing.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import { renderBenchmarks } from './bench-docs-render.ts';
import { RESULTS_DIR, type BenchResult } from './bench-record.ts';

const DOCUMENT = path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md');

const fresh: BenchResult[] = [];
const files = existsSync(RESULTS_DIR)
  ? readdirSync(RESULTS_DIR).filter((name) => name.endsWith('.json'))
  : [];
for (const name of files.sort()) {
  const result = JSON.parse(readFileSync(path.join(RESULTS_DIR, name), 'utf8')) as BenchResult;
  if (result.quick) {
    console.log(`skipped ${name}: a quick run (BENCH_QUICK=1)`);
  } else {
    fresh.push(result);
    console.log(`${result.id}: ${result.date}, commit ${result.commit}`);
  }
}
const current = existsSync(DOCUMENT) ? readFileSync(DOCUMENT, 'utf8') : '';
const options = (await prettier.resolveConfig(DOCUMENT)) ?? {};
const document = await prettier.format(renderBenchmarks(current, fresh), {
  ...options,
  filepath: DOCUMENT,
});
writeFileSync(DOCUMENT, document);
console.log(`wrote ${path.relative(process.cwd(), DOCUMENT)} (${String(fresh.length)} fresh results)`);
