import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StratumErrorCode } from './errors.ts';
import { encodeAcknowledgement, encodeError, encodeResult } from './messages.ts';

/** Every id a request may carry. */
const ids = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 64, unit: 'binary' }),
  fc.constant(null),
);
const asJson = (reply: object): string => `${JSON.stringify(reply)}\n`;

describe('replies', () => {
  it('write what JSON.stringify writes of the whole reply, for every id', () => {
    fc.assert(
      fc.property(ids, fc.jsonValue(), fc.string({ maxLength: 64 }), (id, result, message) => {
        expect(encodeAcknowledgement(id)).toBe(asJson({ id, result: true, error: null }));
        expect(encodeResult(id, result)).toBe(asJson({ id, result, error: null }));
        expect(encodeError(id, StratumErrorCode.LowDifficultyShare, message)).toBe(
          asJson({ id, result: null, error: [StratumErrorCode.LowDifficultyShare, message, null] }),
        );
      }),
    );
  });
});

describe('encodeAcknowledgement', () => {
  it('is one line of JSON-RPC accepting the share', () => {
    expect(encodeAcknowledgement(-0)).toBe('{"id":0,"result":true,"error":null}\n');
    expect(JSON.parse(encodeAcknowledgement('a"\u2028'))).toEqual({
      id: 'a"\u2028',
      result: true,
      error: null,
    });
  });
});
