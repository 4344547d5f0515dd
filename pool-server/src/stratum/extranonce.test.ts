import { describe, expect, it } from 'vitest';
import { ExtranonceAllocator, extranonceToBytes } from './extranonce.ts';

describe('extranonce1 allocation', () => {
  it("hands out the node's range, resumes a free id, never one in use", () => {
    const allocator = new ExtranonceAllocator(1);
    const first = allocator.allocate();
    expect(extranonceToBytes(first).toString('hex')).toBe('01000000');
    expect(allocator.allocate(first)).not.toBe(first);
    allocator.release(first);
    expect(allocator.allocate(first)).toBe(first);
    // Another node's id is not resumed here.
    expect(extranonceToBytes(allocator.allocate(0x02000005))[0]).toBe(1);
    expect(() => new ExtranonceAllocator(256)).toThrow('node id must be 0-255, got 256');
  });

  it('moves to another node id: new ids from its range, the old ones released as sessions move', () => {
    const allocator = new ExtranonceAllocator(1);
    const old = allocator.allocate();
    allocator.moveTo(3);
    expect(allocator.nodeId).toBe(3);
    const moved = allocator.allocate();
    expect(extranonceToBytes(moved).toString('hex')).toBe('03000000');
    expect(allocator.inUse).toBe(2);
    allocator.release(old);
    expect(allocator.inUse).toBe(1);
    expect(() => {
      allocator.moveTo(-1);
    }).toThrow('node id must be 0-255, got -1');
  });
});
