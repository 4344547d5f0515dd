/**
 * An open-loop HTTP load at an even rate: request i is due at start + i / rate, and its
 * latency counts from when it was due, so a slow answer delays nothing and hides nothing
 * (no coordinated omission). autocannon's rate mode sends each second's quota in a burst
 * at the start of the second, which measures queueing behind that burst instead.
 */
import http from 'node:http';

export interface PacedResult {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  /** Milliseconds, sorted. */
  readonly latencies: readonly number[];
  readonly seconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

export function pacedLoad(options: {
  readonly port: number;
  readonly rate: number;
  readonly seconds: number;
  readonly sockets: number;
  readonly path: () => string;
}): Promise<PacedResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.sockets });
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let issued = 0;
  let settled = 0;
  const start = performance.now() + 20;
  return new Promise((resolve) => {
    const finishIfDone = (): void => {
      if (settled === total) {
        clearInterval(timer);
        agent.destroy();
        resolve({
          sent: total,
          ok,
          failed,
          latencies: latencies.sort((a, b) => a - b),
          seconds: (performance.now() - start) / 1000,
        });
      }
    };
    const issue = (due: number): void => {
      const request = http.get(
        { host: '127.0.0.1', port: options.port, path: options.path(), agent },
        (response) => {
          response.resume();
          response.on('end', () => {
            latencies.push(performance.now() - due);
            if (response.statusCode === 200) {
              ok++;
            } else {
              failed++;
            }
            settled++;
            finishIfDone();
          });
        },
      );
      request.on('error', () => {
        failed++;
        settled++;
        finishIfDone();
      });
    };
    const timer = setInterval(() => {
      const now = performance.now();
      while (issued < total && start + (issued * 1000) / options.rate <= now) {
        issue(start + (issued * 1000) / options.rate);
        issued++;
      }
    }, 1);
  });
}
