import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { createLogger, logFormatFor } from './logging.ts';

function collected(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('prints for a person on a terminal, JSON lines anywhere else', () => {
    expect(logFormatFor(1, () => true)).toBe('pretty');
    expect(logFormatFor(2, () => false)).toBe('json');
    // A stream of the caller's (a test's, a shipper's) is never a terminal.
    expect(logFormatFor(collected().stream, () => true)).toBe('json');
  });

  it('writes JSON lines as before when not on a terminal', () => {
    const { lines, stream } = collected();
    createLogger({ base: { service: 'hashwatt' } }, stream).info({ port: 3333 }, 'pool: ready for miners');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 30,
      service: 'hashwatt',
      port: 3333,
      msg: 'pool: ready for miners',
    });
  });

  it('writes a readable line, at once, when asked for pretty output', () => {
    const { lines, stream } = collected();
    createLogger({}, stream, 'pretty').warn({ port: 3333 }, 'pool: ready for miners');
    const text = lines.join('');
    expect(text).toContain('WARN');
    expect(text).toContain('pool: ready for miners');
    expect(text).toContain('port: 3333');
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('is forced by logFormat (HASHWATT_LOG_FORMAT); another value is refused naming the key', () => {
    expect(loadConfig({}).logFormat).toBe('auto');
    expect(loadConfig({ HASHWATT_LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ HASHWATT_LOG_FORMAT: 'xml' })).toThrow(/logFormat/);
  });
});
