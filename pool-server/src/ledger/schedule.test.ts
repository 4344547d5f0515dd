import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Schedule } from './schedule.ts';

const log = pino({ level: 'silent' });

/** A duty whose runs finish when the test says so. */
function gatedDuty(name: string, intervalMs: number) {
  const releases: (() => void)[] = [];
  let runs = 0;
  return {
    duty: {
      name,
      intervalMs,
      run: () => {
        runs++;
        return new Promise<void>((resolve) => releases.push(resolve));
      },
    },
    runs: () => runs,
    finishAll: () => {
      releases.splice(0).forEach((release) => {
        release();
      });
    },
  };
}

describe('Schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs each duty at once and then at its interval, never two runs of one duty at a time', async () => {
    const slow = gatedDuty('payouts', 1_000);
    const schedule = new Schedule([slow.duty], log);
    schedule.start();
    expect(slow.runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(3_500);
    // Still the first run: the ticks joined it.
    expect(slow.runs()).toBe(1);
    slow.finishAll();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(slow.runs()).toBe(2);
    slow.finishAll();
    await schedule.stop();
  });

  it('logs a failed run and tries again at the next interval', async () => {
    const errors: unknown[] = [];
    const spy = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line)) });
    let attempts = 0;
    const schedule = new Schedule(
      [
        {
          name: 'blocks',
          intervalMs: 500,
          run: () => {
            attempts++;
            return attempts === 1 ? Promise.reject(new Error('database away')) : Promise.resolve();
          },
        },
      ],
      spy,
    );
    schedule.start();
    await vi.advanceTimersByTimeAsync(500);
    expect(attempts).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ duty: 'blocks', err: { message: 'database away' } });
    await schedule.stop();
  });

  it('stop waits for the run in flight and starts no other', async () => {
    const slow = gatedDuty('blocks', 100);
    const schedule = new Schedule([slow.duty], log);
    schedule.start();
    let stopped = false;
    const stopping = schedule.stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    slow.finishAll();
    await stopping;
    expect(stopped).toBe(true);
    await schedule.runNow('blocks');
    expect(slow.runs()).toBe(1);
    await expect(schedule.runNow('nothing')).rejects.toThrow('no duty named nothing');
  });
});
