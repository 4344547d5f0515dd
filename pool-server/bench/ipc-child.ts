/**
 * A benchmark's child process spoken to over IPC (a server under load, a process of
 * miners): ask(kind) sends a request and resolves with the child's answer.
 */
import { fork, type ChildProcess } from 'node:child_process';

export interface ChildOptions {
  readonly environment?: Record<string, string>;
  readonly nodeFlags?: string[];
}

export class Child {
  readonly process: ChildProcess;
  readonly #waiting = new Map<
    string,
    { resolve: (message: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();

  /** `script`: relative to this folder. The child runs at this process's niceness, as all it starts. */
  constructor(script: string, { environment = {}, nodeFlags = [] }: ChildOptions = {}) {
    this.process = fork(new URL(script, import.meta.url), [], {
      execArgv: ['--import', 'tsx', ...nodeFlags],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...environment },
    });
    this.process.on('message', (message: Record<string, unknown>) => {
      const kind = String(message.kind);
      this.#waiting.get(kind)?.resolve(message);
      this.#waiting.delete(kind);
    });
    // A child that dies (a pool that cannot start) fails the benchmark with its name, not a hang.
    this.process.on('exit', (code, signal) => {
      for (const [kind, waiter] of this.#waiting) {
        waiter.reject(new Error(`${script} exited (${String(signal ?? code)}) before its '${kind}' message`));
      }
      this.#waiting.clear();
    });
  }

  next(kind: string): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => this.#waiting.set(kind, { resolve, reject }));
  }

  ask(kind: string, reply: string, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const answer = this.next(reply);
    this.process.send({ kind, ...extra });
    return answer;
  }

  exit(kind: string): Promise<void> {
    const exited = new Promise<void>((resolve) =>
      this.process.once('exit', () => {
        resolve();
      }),
    );
    this.process.send({ kind });
    return exited;
  }
}
