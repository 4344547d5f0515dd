import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeAcknowledgement, encodeResult } from './messages.ts';

describe('encodeAcknowledgement', () => {
  it('writes what encodeResult(id, true) writes, for every id a request may carry', () => {
    const ids = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 64, unit: 'binary' }),
      fc.constant(null),
    );
    fc.assert(
      fc.property(ids, (id) => {
        expect(encodeAcknowledgement(id)).toBe(encodeResult(id, true));
      }),
    );
  });

  it('is one line of JSON-RPC accepting the share', () => {
    expect(encodeAcknowledgement(-0)).toBe('{"id":0,"result":true,"error":null}\n');
    expect(JSON.parse(encodeAcknowledgement('a"\u2028'))).toEqual({
      id: 'a"\u2028',
      result: true,
      error: null,
    });
  });
});
