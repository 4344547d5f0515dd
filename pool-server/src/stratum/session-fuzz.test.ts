import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hostileLine } from '../../test/helpers/hostile-stratum.ts';
import { RecordingSink, TESTNET_ADDRESS, testEnvironment } from '../../test/helpers/stratum-env.ts';
import { StratumSession } from './session.ts';

v8.setFlagsFromString('--expose-gc');
/** A full collection, so that a heap measurement counts what is kept, not garbage not yet collected. */
const collectGarbage = vm.runInNewContext('gc') as () => void;

/**
 * Hostile miners, generated: any sequence of lines — random bytes, JSON of any shape,
 * deep nesting, every method with parameters of the wrong types, floods of one method —
 * never throws out of a session, each request gets one answer (a result or an error
 * with a code), and what the session keeps stays bounded.
 */

const line = hostileLine(5_000);

describe('a session under generated hostile input', () => {
  it('never throws, answers each request once, and stays bounded', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 60 }), (lines) => {
        const { env } = testEnvironment();
        const sink = new RecordingSink();
        const session = new StratumSession(env, sink, '127.0.0.1', 0);
        lines.forEach((text, index) => {
          session.receive(text, index * 10);
        });
        const sent = sink.take();
        for (const message of sent) {
          // Every answer is a notification, a result, or an error [code, message, …].
          const answer = message as { id?: unknown; method?: unknown; result?: unknown; error?: unknown };
          if (answer.method === undefined) {
            expect(answer.result !== undefined || answer.error !== undefined).toBe(true);
            if (answer.error !== null && answer.error !== undefined) {
              expect(Array.isArray(answer.error) && typeof answer.error[0] === 'number').toBe(true);
            }
          }
        }
        // No more answers than lines: nothing is answered twice.
        expect(
          sent.filter((message) => (message as { method?: unknown }).method === undefined).length,
        ).toBeLessThanOrEqual(lines.length);
      }),
      { numRuns: 300 },
    );
  });

  it('takes a flood of one method without growing what it keeps', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    session.receive(JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }), 0);
    session.receive(
      JSON.stringify({ id: 2, method: 'mining.authorize', params: [`${TESTNET_ADDRESS}.rig1`, 'x'] }),
      0,
    );
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    for (let index = 0; index < 50_000; index += 1) {
      session.receive(
        JSON.stringify({ id: index, method: 'mining.suggest_difficulty', params: [index % 1_000] }),
        index,
      );
      sink.take();
    }
    collectGarbage();
    // Fifty thousand requests leave no trace: 40 bytes kept per request would be 2 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(2_000_000);
  });
});
