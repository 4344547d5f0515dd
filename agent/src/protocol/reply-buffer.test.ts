import { describe, expect, it } from 'vitest';
import { ReplyBuffer } from './reply-buffer.ts';

describe('ReplyBuffer', () => {
  it('takes a 10 MB reply in 64 KiB chunks with linear copying, never holding more than its limit', () => {
    const limit = 16 << 20;
    const buffer = new ReplyBuffer(limit);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let peak = 0;
    while (buffer.length < 10_000_000) {
      expect(buffer.append(chunk)).toBe(true);
      peak = Math.max(peak, buffer.capacity);
    }
    expect(peak).toBeLessThanOrEqual(limit);
    // Doubling copies each byte about twice; a copy of everything per chunk would be ~80x.
    expect(buffer.copiedBytes).toBeLessThan(3 * buffer.length);
    expect(buffer.view().subarray(-4).toString()).toBe('AAAA');
  });

  it('refuses a chunk that would pass the limit and keeps what it had', () => {
    const buffer = new ReplyBuffer(10, 4);
    expect(buffer.append(Buffer.from('0123456'))).toBe(true);
    expect(buffer.append(Buffer.from('7890'))).toBe(false);
    expect(buffer.view().toString()).toBe('0123456');
    expect(buffer.capacity).toBeLessThanOrEqual(10);
    expect(buffer.append(Buffer.from('789'))).toBe(true);
    expect(buffer.view().toString()).toBe('0123456789');
  });
});
