import fc from 'fast-check';
import { TESTNET_ADDRESS } from './stratum-env.ts';

/**
 * Lines a hostile or broken miner might send, for the property tests and the long
 * random run: requests of every method with parameters of any type, a real handshake
 * now and then (so that later requests reach deeper states), nesting far deeper than
 * any Stratum message, text and raw bytes.
 */

const METHODS = [
  'mining.subscribe',
  'mining.authorize',
  'mining.configure',
  'mining.submit',
  'mining.suggest_difficulty',
  'mining.extranonce.subscribe',
  'mining.multi_version',
  'client.get_version',
  'no.such.method',
];

/** Any JSON value, nested a little: what a hostile peer may put where an object or array is expected. */
export const anyJson = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 40 }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 6 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 6 }),
  ),
})).value;

export function hostileLine(maxDepth: number): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .record({
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.constant(null)),
        method: fc.constantFrom(...METHODS),
        params: fc.oneof(fc.array(anyJson, { maxLength: 6 }), anyJson),
      })
      .map((request) => JSON.stringify(request)),
    fc.constantFrom(
      JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] }),
      JSON.stringify({ id: 2, method: 'mining.authorize', params: [`${TESTNET_ADDRESS}.rig1`, 'x'] }),
    ),
    fc.integer({ min: 100, max: maxDepth }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );
}
