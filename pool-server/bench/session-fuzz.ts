/**
 * A long random run against the Stratum session (the codec's lines and the state
 * machine), the complement of the bounded property tests: for BENCH_FUZZ_SECONDS
 * (60; 5 with BENCH_QUICK=1) sessions are fed generated hostile lines — random bytes,
 * JSON of any shape, deep nesting, every method with wrong types, floods — with a
 * fresh session every few hundred lines. It counts lines and sessions, fails on the
 * first exception, and reports the heap's high-water mark.
 *
 * Run: pnpm bench (prints a line, then one JSON line).
 */
import fc from 'fast-check';
import { hostileLine } from '../test/helpers/hostile-stratum.ts';
import { RecordingSink, testEnvironment } from '../test/helpers/stratum-env.ts';
import { StratumSession } from '../src/stratum/session.ts';
import { gitSha, machine } from './run-info.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = Number(process.env.BENCH_FUZZ_SECONDS ?? (QUICK ? 5 : 60));
const LINES_PER_SESSION = 300;

const line = hostileLine(20_000);

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

const result = {
  bench: 'session-fuzz',
  git: gitSha(),
  machine: machine(),
  seconds: SECONDS,
  lines,
  sessions,
  exceptions: 0,
  heapMaxMiB: heapMax / 2 ** 20,
};
process.stdout.write(
  `session fuzz: ${String(lines)} hostile lines over ${String(sessions)} sessions in ${String(SECONDS)} s, no exception, heap at most ${(heapMax / 2 ** 20).toFixed(0)} MiB\n${JSON.stringify(result)}\n`,
);
