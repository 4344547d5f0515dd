import { describe, expect, it, vi } from 'vitest';
import { BinaryCopyBuffer, binaryCopySlices } from './binary-copy.ts';
import { SLICE_MS } from './time-slices.ts';

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

  it('writes times before and after 2000 as signed microseconds', () => {
    const hex = new BinaryCopyBuffer(['timestamptz', 'timestamptz', 'timestamptz'], 1)
      .row()
      .timestamptz(Date.UTC(1999, 11, 31, 23, 59, 59, 999))
      .timestamptz(Date.UTC(2026, 10, 26, 6, 0, 0, 123))
      .timestamptz(Date.UTC(1970, 0, 1))
      .finish()
      .toString('hex');
    const fields = [0, 1, 2].map((index) =>
      BigInt.asIntN(64, BigInt(`0x${hex.slice(50 + index * 24, 66 + index * 24)}`)),
    );
    const micros = (ms: number): bigint => BigInt(ms - Date.UTC(2000, 0, 1)) * 1000n;
    expect(fields).toEqual([
      -1000n,
      micros(Date.UTC(2026, 10, 26, 6, 0, 0, 123)),
      micros(Date.UTC(1970, 0, 1)),
    ]);
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

  it('refuses a UUID that is not one, also after a good one', () => {
    const rows = new BinaryCopyBuffer(['uuid'], 3);
    rows.row().uuid('00112233-4455-6677-8899-aabbccddeeff');
    expect(() => rows.row().uuid('not-a-uuid')).toThrow('binary COPY: "not-a-uuid" is not a UUID');
    expect(() => rows.row().uuid('00112233-4455')).toThrow('is not a UUID');
  });

  it('writes the same UUID on every row (a batch id), and a new one when it changes', () => {
    const rows = new BinaryCopyBuffer(['uuid'], 3);
    rows.row().uuid('00112233-4455-6677-8899-aabbccddeeff');
    rows.row().uuid('00112233-4455-6677-8899-aabbccddeeff');
    rows.row().uuid('ffeeddcc-bbaa-9988-7766-554433221100');
    const hex = rows.finish().toString('hex');
    expect(hex.match(/00112233445566778899aabbccddeeff/g)).toHaveLength(2);
    expect(hex).toContain('00000010ffeeddccbbaa99887766554433221100ffff');
  });

  it('cuts a stream by time into slices whose concatenation is the whole stream, serving the event loop between them', async () => {
    const whole = new BinaryCopyBuffer(['int4', 'uuid'], 2_500);
    for (let index = 0; index < 2_500; index++) {
      whole.row().int4(index).uuid('00112233-4455-6677-8899-aabbccddeeff');
    }
    // Every 500 rows take a slice's time, and the clock is read every 64 rows: four cuts,
    // at rows 511, 1,023, 1,535 and 2,047.
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    const slices: Buffer[] = [];
    const served: number[] = [];
    for await (const slice of binaryCopySlices(['int4', 'uuid'], 2_500, (rows, index) => {
      rows.int4(index).uuid('00112233-4455-6677-8899-aabbccddeeff');
      if (index % 500 === 499) {
        clock += SLICE_MS;
      }
    })) {
      // What waits on the loop when a slice is handed over runs before the next one is made.
      expect(served).toEqual(slices.map((_, index) => index));
      const index = slices.push(slice) - 1;
      setImmediate(() => served.push(index));
    }
    now.mockRestore();
    expect(slices).toHaveLength(5);
    expect(slices[1]?.length).toBe(512 * (2 + 8 + 20));
    expect(Buffer.concat(slices).equals(whole.finish())).toBe(true);
  });

  it('makes an empty stream of a header and a trailer', async () => {
    const slices: Buffer[] = [];
    for await (const slice of binaryCopySlices(['int4'], 0, () => undefined)) {
      slices.push(slice);
    }
    expect(Buffer.concat(slices).equals(new BinaryCopyBuffer(['int4'], 0).finish())).toBe(true);
  });
});
