/**
 * A long random run against the Stratum session (the codec's lines and the state
 * machine), the complement of the bounded property tests: for BENCH_FUZZ_SECONDS
 * (60; 5 with BENCH_QUICK=1) sessions are fed generated hostile lines — random bytes,
 * JSON of any shape, deep nesting, every method with wrong types, floods — with a
 * fresh session every few hundred lines. It counts lines and sessions, fails on the
 * first exception, and reports the heap's high-water mark.
 *
 * The floor: generating the same kind of lines for a fifth of the time, fed to nothing.
 *
 * Run: pnpm bench (prints its table and records it in bench-results/session-fuzz.json).
 */
import fc from 'fast-check';
import { hostileLine } from '../test/helpers/hostile-stratum.ts';
import { RecordingSink, testEnvironment } from '../test/helpers/stratum-env.ts';
import { StratumSession } from '../src/stratum/session.ts';
import { ratio, startBench } from '../../scripts/bench-record.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = Number(process.env.BENCH_FUZZ_SECONDS ?? (QUICK ? 5 : 60));
const LINES_PER_SESSION = 300;

const line = hostileLine(20_000);

const bench = startBench({
  id: 'session-fuzz',
  title: 'Stratum session fuzz',
  about:
    "A long random run against the Stratum session (the codec's lines and the state machine), the complement of the bounded property tests: sessions are fed generated hostile lines (random bytes, JSON of any shape, deep nesting, every method with wrong types, floods) with a fresh session every few hundred lines. It fails on the first exception and reports the heap's high-water mark. The floor generates the same kind of lines and feeds them to nothing, so the ratio is the share of the run the session itself leaves to the generator.",
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/session-fuzz.ts',
  conditions: {
    'seconds (BENCH_FUZZ_SECONDS)': SECONDS,
    'lines per session': LINES_PER_SESSION,
    'longest generated line, characters': 20_000,
  },
});

const deadline = Date.now() + SECONDS * 1000;
let lines = 0;
let sessions = 0;
let heapMax = 0;
let seed = Date.now() >>> 0;
while (Date.now() < deadline) {
  const batch = fc.sample(line, { numRuns: LINES_PER_SESSION, seed: seed++ });
  const { env } = testEnvironment();
  const sink = new RecordingSink();
  const session = new StratumSession(env, sink, '127.0.0.1', 0);
  sessions += 1;
  for (const text of batch) {
    try {
      session.receive(text, lines);
    } catch (error) {
      throw new Error(
        `the session threw on ${JSON.stringify(text.slice(0, 200))} (seed ${String(seed - 1)})`,
        { cause: error },
      );
    }
    lines += 1;
  }
  sink.take();
  heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
}

const floorSeconds = Math.max(1, SECONDS / 5);
const floorDeadline = Date.now() + floorSeconds * 1000;
let floorLines = 0;
while (Date.now() < floorDeadline) {
  floorLines += fc.sample(line, { numRuns: LINES_PER_SESSION, seed: seed++ }).length;
}
const linesPerSecond = lines / SECONDS;
const floorLinesPerSecond = floorLines / floorSeconds;
bench.finish({
  columns: ['case', 'hostile lines/s', '÷ floor', 'lines', 'sessions', 'exceptions', 'heap high-water mark'],
  rows: [
    {
      cells: [
        'generated lines fed to fresh Stratum sessions',
        Math.round(linesPerSecond).toLocaleString('en-US'),
        ratio(linesPerSecond, floorLinesPerSecond),
        lines.toLocaleString('en-US'),
        sessions.toLocaleString('en-US'),
        '0',
        `${(heapMax / 2 ** 20).toFixed(0)} MiB`,
      ],
    },
    {
      floor: true,
      cells: [
        'the same lines generated, fed to nothing',
        Math.round(floorLinesPerSecond).toLocaleString('en-US'),
        ratio(1, 1),
        floorLines.toLocaleString('en-US'),
        '—',
        '—',
        '—',
      ],
    },
  ],
});
