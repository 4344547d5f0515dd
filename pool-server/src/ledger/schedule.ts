import type { Logger } from 'pino';

export interface Duty {
  readonly name: string;
  readonly intervalMs: number;
  run(): Promise<unknown>;
}

/**
 * Runs the ledger's periodic duties (recording journalled blocks, block maturity,
 * payouts), each at its own interval and never two runs of one duty at once. A failed
 * run is logged and the next one tries again: a database or node away for a while
 * delays the books, it does not stop them. stop() waits for runs in flight.
 */
export class Schedule {
  readonly #duties: readonly Duty[];
  readonly #log: Logger;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #running = new Map<string, Promise<void>>();
  #stopped = false;

  constructor(duties: readonly Duty[], log: Logger) {
    this.#duties = duties;
    this.#log = log;
  }

  /** Runs every duty once now, then at its interval. */
  start(): void {
    for (const duty of this.#duties) {
      void this.runNow(duty.name);
      const timer = setInterval(() => void this.runNow(duty.name), duty.intervalMs);
      timer.unref();
      this.#timers.add(timer);
    }
  }

  /** Runs one duty now, or joins its run in flight. */
  runNow(name: string): Promise<void> {
    const duty = this.#duties.find((candidate) => candidate.name === name);
    if (!duty) {
      return Promise.reject(new Error(`no duty named ${name}`));
    }
    const inFlight = this.#running.get(name);
    if (inFlight) {
      return inFlight;
    }
    if (this.#stopped) {
      return Promise.resolve();
    }
    const run = duty
      .run()
      .then(
        () => undefined,
        (error: unknown) => {
          this.#log.error(
            { err: error, duty: name },
            'ledger: a duty failed; it runs again at its next interval',
          );
        },
      )
      .finally(() => {
        this.#running.delete(name);
      });
    this.#running.set(name, run);
    return run;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) {
      clearInterval(timer);
    }
    this.#timers.clear();
    await Promise.all(this.#running.values());
  }
}
