import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDecoder } from './codec.ts';

function decode(chunks: Buffer[], maxLineBytes = 64): { lines: string[]; ok: boolean } {
  const decoder = new LineDecoder(maxLineBytes);
  const lines: string[] = [];
  let ok = true;
  for (const chunk of chunks) {
    ok = decoder.push(chunk, (line) => lines.push(line)) && ok;
    if (!ok) {
      break;
    }
  }
  return { lines, ok };
}

describe('line decoder', () => {
  const text = '{"id":1,"method":"mining.subscribe"}\r\n{"id":2}\n\n{"x":"ünï©ødé ⛏"}\n';
  const bytes = Buffer.from(text);
  const expected = ['{"id":1,"method":"mining.subscribe"}', '{"id":2}', '{"x":"ünï©ødé ⛏"}'];

  it('gives the same lines for every split point, CRLF or LF, multi-byte characters intact', () => {
    for (let split = 0; split <= bytes.length; split++) {
      expect(decode([bytes.subarray(0, split), bytes.subarray(split)]).lines).toEqual(expected);
    }
  });

  it('gives the same lines for any chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index) =>
          bytes.subarray(start, points[index] ?? bytes.length),
        );
        expect(decode(chunks).lines).toEqual(expected);
      }),
    );
  });

  it('byte by byte', () => {
    expect(decode([...bytes].map((byte) => Buffer.from([byte]))).lines).toEqual(expected);
  });

  it('overflows on a complete line over the limit, and on a partial line that grows past it', () => {
    expect(decode([Buffer.from(`${'a'.repeat(65)}\n`)])).toEqual({ lines: [], ok: false });
    expect(decode([Buffer.from(`${'a'.repeat(64)}\n`)])).toEqual({ lines: ['a'.repeat(64)], ok: true });
    expect(decode([Buffer.from('a'.repeat(40)), Buffer.from('a'.repeat(40))]).ok).toBe(false);
    // A partial line finished by a chunk that takes it past the limit.
    expect(decode([Buffer.from('a'.repeat(40)), Buffer.from(`${'a'.repeat(30)}\nb\n`)])).toEqual({
      lines: [],
      ok: false,
    });
    // 1 MiB with no newline, in 64 KiB chunks: cut off at the first chunk over the limit.
    const decoder = new LineDecoder(16 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    expect(decoder.push(chunk, () => undefined)).toBe(false);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('delivers the lines before an overflow', () => {
    expect(decode([Buffer.from(`ok\n${'a'.repeat(70)}`)])).toEqual({ lines: ['ok'], ok: false });
  });
});
