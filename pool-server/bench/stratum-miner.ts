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
const NOTIFY_PREFIX = Buffer.from('{"id":null,"method":"mining.notify","params":[');
const CLEAN_JOBS_END = Buffer.from('true]}\n');
const NEWLINE = 0x0a;

/** The read in READ_BUFFER is one whole clean-jobs mining.notify line, and nothing else. */
function readIsCleanNotify(bytes: number): boolean {
  const end = bytes - CLEAN_JOBS_END.length;
  return (
    end > NOTIFY_PREFIX.length &&
    READ_BUFFER.compare(NOTIFY_PREFIX, 0, NOTIFY_PREFIX.length, 0, NOTIFY_PREFIX.length) === 0 &&
    READ_BUFFER.compare(CLEAN_JOBS_END, 0, CLEAN_JOBS_END.length, end, bytes) === 0 &&
    READ_BUFFER.indexOf(NEWLINE) === bytes - 1
  );
}

export class Miner {
  readonly socket: net.Socket;
  job: string[] = [];
  #tail = '';
  onLine: (line: string, at: number) => void = () => undefined;
  /**
   * Set while a fan-out is watched: a read that is one whole clean-jobs notify is timed
   * into it without being decoded, so that the 10,000 miners of one process take as
   * little as they can of the cores the pool is measured on. Any other read is decoded.
   */
  cleanJobArrivals: number[] | undefined;

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
          if (this.cleanJobArrivals && this.#tail === '' && readIsCleanNotify(bytes)) {
            this.cleanJobArrivals.push(now());
          } else {
            this.#read(READ_BUFFER.toString('latin1', 0, bytes));
          }
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
    miner.cleanJobArrivals = arrivals;
    // A notify split over reads, or read with other lines, is found by its decoded line.
    miner.onLine = (line, at) => {
      if (line.endsWith('true]}') && line.includes('"mining.notify"')) {
        arrivals.push(at);
      }
    };
  }
}
