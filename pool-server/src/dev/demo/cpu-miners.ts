import { Worker } from 'node:worker_threads';
import type { MinerThreadMessage, MinerThreadSettings, RigReport } from './cpu-miner-worker.ts';

/**
 * The miners' thread: compiled, the worker module itself; from TypeScript source, a
 * shim that gives the thread the TypeScript loader it does not inherit.
 */
function minerThreadFile(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./cpu-miner-thread.mjs', import.meta.url)
    : new URL('./cpu-miner-worker.js', import.meta.url);
}

/** The demo's CPU miners: started in their own thread; their latest reports, by user. */
export class CpuMiners {
  readonly #worker: Worker;
  readonly #reports = new Map<string, RigReport>();
  readonly #exited: Promise<void>;

  constructor(settings: MinerThreadSettings, onError: (error: Error) => void) {
    this.#worker = new Worker(minerThreadFile(), { workerData: settings });
    // A failing demo must not take the pool down with it.
    this.#worker.on('error', onError);
    this.#worker.on('message', (reports: RigReport[]) => {
      for (const report of reports) {
        this.#reports.set(report.user, report);
      }
    });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => {
        resolve();
      });
    });
  }

  report(user: string): RigReport {
    return (
      this.#reports.get(user) ?? { user, hashrate: 0, accepted: 0, rejected: 0, stale: 0, connected: false }
    );
  }

  /** How fast `user`'s rig hashes: 0 asleep (off the pool), 1 full speed. */
  setSpeed(user: string, speed: number): void {
    this.#post({ kind: 'speed', user, speed });
  }

  #post(message: MinerThreadMessage): void {
    this.#worker.postMessage(message);
  }

  async stop(): Promise<void> {
    this.#post({ kind: 'stop' });
    const timer = setTimeout(() => {
      void this.#worker.terminate();
    }, 2_000);
    await this.#exited;
    clearTimeout(timer);
  }
}
