/**
 * A lean Stratum miner connection for the load generator: lines in, one callback per
 * line, no JSON parsing on the hot path. Shared by stratum-load.ts and stratum-clients.ts.
 */
import net from 'node:net';

export const LOAD_WORKER = 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t.load';

/** Milliseconds since the epoch with sub-millisecond precision, comparable across processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * One read buffer for every miner of the process: reads are handled one at a time, and
 * each is decoded before the next. The miners share the pool's cores, so what they cost
 * per read is taken from the pool being measured.
 */
const READ_BUFFER = Buffer.alloc(64 * 1024);

export class Miner {
  readonly socket: net.Socket;
  job: string[] = [];
  #tail = '';
  onLine: (line: string, at: number) => void = () => undefined;

  private constructor(port: number, localAddress: string) {
    // onread: the socket reads into READ_BUFFER and calls back, without a stream's
    // 'data' machinery and a Buffer per read.
    this.socket = net.connect({
      port,
      host: '127.0.0.1',
      localAddress,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (bytes) => {
          this.#read(READ_BUFFER.toString('latin1', 0, bytes));
          return true;
        },
      },
    });
    this.socket.on('error', () => undefined);
  }

  #read(text: string): void {
    const at = now();
    const lines = (this.#tail + text).split('\n');
    this.#tail = lines.pop() ?? '';
    for (const line of lines) {
      this.onLine(line, at);
    }
  }

  static connect(port: number, index: number): Promise<Miner> {
    // Spread over 127.0.0.2-127.0.0.250: one source address has only ~28,000 ports.
    const miner = new Miner(port, `127.0.0.${String(2 + (index % 249))}`);
    return new Promise((resolve, reject) => {
      miner.socket.once('connect', () => {
        resolve(miner);
      });
      miner.socket.once('error', reject);
    });
  }

  /** configure, subscribe and authorize (d=difficulty fixes it); resolves with the first job. */
  handshake(difficulty: number): Promise<void> {
    return new Promise((resolve) => {
      this.onLine = (line) => {
        if (line.includes('"mining.notify"')) {
          this.job = (JSON.parse(line) as { params: string[] }).params;
          resolve();
        }
      };
      this.socket.write(
        `{"id":1,"method":"mining.configure","params":[["version-rolling"],{"version-rolling.mask":"ffffffff"}]}\n` +
          `{"id":2,"method":"mining.subscribe","params":["hashwatt-load/1.0"]}\n` +
          `{"id":3,"method":"mining.authorize","params":["${LOAD_WORKER}","d=${String(difficulty)}"]}\n`,
      );
    });
  }
}

/** Connects and handshakes `count` miners, 500 at a time. */
export async function connectMany(
  port: number,
  count: number,
  difficulty: number,
  offset = 0,
): Promise<Miner[]> {
  const miners: Miner[] = [];
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const group = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, index) => {
        const miner = await Miner.connect(port, offset + start + index);
        await miner.handshake(difficulty);
        return miner;
      }),
    );
    miners.push(...group);
  }
  return miners;
}

/** Records when each miner receives a clean_jobs notify. */
export function watchCleanJobs(miners: readonly Miner[], arrivals: number[]): void {
  for (const miner of miners) {
    miner.onLine = (line, at) => {
      if (line.endsWith('true]}') && line.includes('"mining.notify"')) {
        arrivals.push(at);
      }
    };
  }
}
