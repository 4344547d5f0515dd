import { setTimeout as sleep } from 'node:timers/promises';

/** How long a test waits for what must come: a minute, which only a hang uses up, even on a busy machine. */
export const PATIENCE_MS = 60_000;

/** Polls `probe` until it returns something other than undefined, or fails after timeoutMs. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = PATIENCE_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(25);
  }
}
