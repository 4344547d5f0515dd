import prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { embeddedResults, renderBenchmarks, renderSection } from '../../bench-docs-render.ts';
import { checkTable, ratio, type BenchResult } from '../../bench-record.ts';

const fixture: BenchResult = {
  id: 'share-validation',
  title: 'Share validation',
  about: 'Validated shares per second on one core.',
  notes: ['The SHA-NI engine folds a whole share into one native call.'],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/share-validation.ts',
  date: '2026-12-07T01:30:12.345Z',
  commit: 'abc1234',
  machine: {
    cpu: 'AMD EPYC',
    cores: 2,
    memoryGiB: 23.4,
    node: 'v20.20.2',
    loadAverageStart: [3.5, 2, 1.25],
    loadAverageEnd: [4, 2.5, 1.5],
  },
  conditions: [
    { name: 'shares per run', value: '200,000' },
    { name: 'niceness of the benchmark process', value: '0' },
  ],
  columns: ['case', 'shares/s', '÷ floor'],
  rows: [
    { cells: ['validateShare on sha-ni', '300,000', '0.60×'] },
    { cells: ['sha256d | one crypto.hash', '500,000', '1.00×'], floor: true },
  ],
  quick: false,
};

describe('BENCHMARKS.md generator', () => {
  it('renders a result into its section and one table', () => {
    const section = renderSection(fixture);
    expect(section).toContain(
      [
        '| case | shares/s | ÷ floor |',
        '|---|---:|---:|',
        '| validateShare on sha-ni | 300,000 | 0.60× |',
        '| _sha256d \\| one crypto.hash_ | 500,000 | 1.00× |',
      ].join('\n'),
    );
    expect(section).toContain(
      'Measured 2026-12-07 01:30 UTC at commit `abc1234` on AMD EPYC, 2 cores, 23.4 GiB, Node v20.20.2; load average (1 / 5 / 15 min) 3.50 / 2.00 / 1.25 at the start, 4.00 / 2.50 / 1.50 at the end.',
    );
    expect(section).toContain('- shares per run: 200,000\n- niceness of the benchmark process: 0');
    expect(section).toContain(
      'Rerun: `pnpm --filter @hashwatt/pool-server exec tsx bench/share-validation.ts`',
    );
    expect(section.split('\n| ').length - 1).toBe(3);
  });

  it('keeps each section recoverable through the formatter, "--" in the command included', async () => {
    const document = await prettier.format(renderBenchmarks('', [fixture]), { parser: 'markdown' });
    expect(document).not.toMatch(/<!-- bench-result [^>]*--[^>]/);
    expect(embeddedResults(document).get('share-validation')).toEqual(fixture);
  });

  it('replaces a rerun benchmark and keeps the others, in the documented order', () => {
    const api: BenchResult = {
      ...fixture,
      id: 'api-load',
      title: 'HTTP API',
      rows: [{ cells: ['bare node:http server', '9,000', '1.00×'], floor: true }],
    };
    const before = renderBenchmarks('', [api, fixture]);
    const rerun: BenchResult = {
      ...fixture,
      commit: 'def5678',
      rows: [{ cells: ['floor', '1', '1.00×'], floor: true }],
    };
    const after = renderBenchmarks(before, [rerun]);
    const results = embeddedResults(after);
    expect([...results.keys()]).toEqual(['share-validation', 'api-load']);
    expect(results.get('share-validation')?.commit).toBe('def5678');
    expect(results.get('api-load')).toEqual(api);
    expect(after.match(/^## /gm)).toHaveLength(2);
    expect(after).not.toContain('validateShare on sha-ni');
  });

  it('refuses a table without a floor row or with a short row', () => {
    expect(() => {
      checkTable('x', { columns: ['a', 'b'], rows: [{ cells: ['1', '2'] }] });
    }).toThrow(/no floor row/);
    expect(() => {
      checkTable('x', { columns: ['a', 'b'], rows: [{ cells: ['1'], floor: true }] });
    }).toThrow(/1 cells for 2 columns/);
    expect(ratio(3, 2)).toBe('1.50×');
    expect(ratio(1, 0)).toBe('—');
  });
});
