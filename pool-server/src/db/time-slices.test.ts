import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ITEMS_PER_LOOK, SLICE_MS, TimeSlices } from './time-slices.ts';

/** Counts `items` items done; whether the last made the slice due. */
function countItems(slices: TimeSlices, items: number): boolean {
  let due = false;
  for (let item = 0; item < items; item++) {
    due = slices.due();
  }
  return due;
}

describe('TimeSlices', () => {
  let clock = 0;
  let clockReadings = 0;
  beforeEach(() => {
    clock = 1_000;
    clockReadings = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => {
      clockReadings++;
      return clock;
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is due once a slice has run SLICE_MS, and not before', () => {
    const slices = new TimeSlices();
    expect(countItems(slices, ITEMS_PER_LOOK)).toBe(false);
    clock += SLICE_MS - 0.01;
    expect(countItems(slices, ITEMS_PER_LOOK)).toBe(false);
    clock += 0.01;
    expect(countItems(slices, ITEMS_PER_LOOK)).toBe(true);
  });

  it('reads the clock once every ITEMS_PER_LOOK items', () => {
    const slices = new TimeSlices();
    clock += SLICE_MS;
    expect(countItems(slices, ITEMS_PER_LOOK - 1)).toBe(false);
    expect(slices.due()).toBe(true);
    // Once when the slice began, once at the 64th item.
    expect(clockReadings).toBe(2);
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
    expect(countItems(slices, ITEMS_PER_LOOK)).toBe(false);
    clock += SLICE_MS;
    expect(countItems(slices, ITEMS_PER_LOOK)).toBe(true);
  });
});
