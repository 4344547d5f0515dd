// Prints the fixture sweep as the table kept in agent/README.md:
// `pnpm --filter @hashwatt/agent sweep`.
import { byFamily, sweep } from './sweep.ts';

async function main(): Promise<void> {
  const rows = await sweep();
  const lines = [
    '| family | captured devices | every field right | share | what was wrong |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const { family, right, total } of byFamily(rows)) {
    const misses = rows
      .filter((row) => row.family === family && row.wrong.length > 0)
      .map((row) => `${row.variant.split('__')[1] ?? row.variant}: ${row.wrong.join(', ')}`);
    lines.push(
      `| ${family} | ${String(total)} | ${String(right)} | ${String(Math.round((100 * right) / total))} % | ${misses.join('; ') || '—'} |`,
    );
  }
  const right = rows.filter((row) => row.wrong.length === 0).length;
  lines.push(
    `| **all** | ${String(rows.length)} | ${String(right)} | ${String(Math.round((100 * right) / rows.length))} % | |`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
