import { describe, expect, it } from 'vitest';
import { BinaryCopyBuffer } from './binary-copy.ts';

describe('BinaryCopyBuffer', () => {
  it('writes the header, each field with its length, and the trailer (PostgreSQL COPY binary format)', () => {
    const data = new BinaryCopyBuffer(['timestamptz', 'int8', 'int4', 'int2', 'float8', 'bool', 'uuid'], 1)
      .row()
      // One second after PostgreSQL's epoch, 2000-01-01 UTC: 1,000,000 microseconds.
      .timestamptz(Date.UTC(2000, 0, 1, 0, 0, 1))
      .int8('9007199254740993')
      .int4(-2)
      .int2(1)
      .float8(1.5)
      .bool(true)
      .uuid('00112233-4455-6677-8899-aabbccddeeff')
      .finish();
    expect(data.toString('hex')).toBe(
      [
        '5047434f50590aff0d0a00', // PGCOPY\n\377\r\n\0
        '00000000', // flags
        '00000000', // header extension
        '0007', // fields in the row
        '00000008' + '00000000000f4240',
        '00000008' + '0020000000000001', // int8 beyond 2^53, exact from its text
        '00000004' + 'fffffffe',
        '00000002' + '0001',
        '00000008' + '3ff8000000000000',
        '00000001' + '01',
        '00000010' + '00112233445566778899aabbccddeeff',
        'ffff', // trailer
      ].join(''),
    );
  });

  it('refuses to finish a buffer with rows or fields missing', () => {
    const short = new BinaryCopyBuffer(['int4', 'int4'], 2);
    short.row().int4(1).int4(2);
    expect(() => short.finish()).toThrow('binary COPY: 18 bytes left unwritten; a row or a field is missing');
  });

  it('does not write past the rows it was made for', () => {
    const one = new BinaryCopyBuffer(['int4'], 1);
    one.row().int4(1);
    expect(() => one.row().int4(2)).toThrow(RangeError);
  });

  it('refuses a UUID that is not one', () => {
    const rows = new BinaryCopyBuffer(['uuid'], 1);
    rows.row().uuid('not-a-uuid');
    expect(() => rows.finish()).toThrow(/bytes left unwritten/);
  });
});
