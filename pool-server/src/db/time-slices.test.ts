import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SLICE_MS, TimeSlices } from './time-slices.ts';

describe('TimeSlices', () => {
  let clock = 0;
  beforeEach(() => {
    clock = 1_000;
    vi.spyOn(performance, 'now').mockImplementation(() => clock);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is due once a slice has run SLICE_MS, and not before', () => {
    const slices = new TimeSlices();
    expect(slices.due).toBe(false);
    clock += SLICE_MS - 0.01;
    expect(slices.due).toBe(false);
    clock += 0.01;
    expect(slices.due).toBe(true);
  });

  it('serves the event loop before the next slice, which gets the whole time again', async () => {
    const slices = new TimeSlices();
    clock += SLICE_MS;
    let served = false;
    setImmediate(() => {
      served = true;
    });
    await slices.next();
    expect(served).toBe(true);
    expect(slices.due).toBe(false);
    clock += SLICE_MS;
    expect(slices.due).toBe(true);
  });
});
