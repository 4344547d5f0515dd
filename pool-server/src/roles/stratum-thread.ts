/**
 * The Stratum role in a worker thread of its own (stratum.thread): its event loop does
 * sockets, sessions, share validation, the share journal, replies and found blocks, and
 * nothing else. This thread, its host, keeps the node's templates (relayed to it), the
 * database its batches, blocks and template facts are stored in (storage-channel.ts;
 * with NATS the thread publishes them itself), the accounts list, the writer's schedule
 * and the API; it writes the thread's log and lists its journals, and starts it again
 * should it die.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Level, Logger } from 'pino';
import type { TemplateRelay } from '../chain/template-relay.ts';
import type { Config } from '../config.ts';
import { serveStorageChannel, type StorageHandlers } from '../ledger/storage-channel.ts';
import type { JournalStates } from './journals.ts';
import type { Node } from './node.ts';
import {
  portChannel,
  type HostMessage,
  type StratumThreadData,
  type ThreadMessage,
} from './stratum-thread-messages.ts';
import type { StratumCounters, StratumVitals } from './stratum-vitals.ts';

export interface StratumThreadParts {
  readonly node: Node;
  readonly relay: TemplateRelay;
  /** Where the thread's handoffs are stored; undefined with NATS, which the thread publishes to. */
  readonly storage: StorageHandlers | undefined;
  readonly journals: JournalStates;
}

/** Beyond the miners' drain: for the last batches to be stored and found blocks to settle. */
const STOP_ALLOWANCE_MS = 60_000;

interface Ports {
  readonly port: number;
  readonly tlsPort: number | undefined;
  readonly soloPort: number | undefined;
  readonly sv2Port: number | undefined;
  readonly jdsPort: number | undefined;
}

/** pino's levels, by the names its Logger has a method for. */
const LEVELS: ReadonlySet<string> = new Set<Level>(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);

function isLevel(label: string | undefined): label is Level {
  return label !== undefined && LEVELS.has(label);
}

/** Writes a line of the thread's log through this thread's logger, at its level, with its fields. */
function relog(log: Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    log.warn({ line }, 'pool: the Stratum thread wrote a log line that is not JSON');
    return;
  }
  const { level, msg, ...fields } = record;
  const label = typeof level === 'number' ? log.levels.labels[level] : undefined;
  if (!isLevel(label)) {
    log.info(fields, String(msg));
  } else if (typeof msg === 'string') {
    log[label](fields, msg);
  } else {
    // A line without a message (pino leaves msg out when none was given) stays without one.
    log[label](fields);
  }
}

export class StratumThread {
  readonly #config: Config;
  readonly #parts: StratumThreadParts;
  readonly #log: Logger;
  #worker: Worker | undefined;
  #accounts: readonly string[] = [];
  #nextRequest = 0;
  readonly #waiting = new Map<number, (message: ThreadMessage | undefined) => void>();
  #stopping = false;

  constructor(config: Config, parts: StratumThreadParts, log: Logger) {
    this.#config = config;
    this.#parts = parts;
    this.#log = log;
  }

  /** Starts the thread; resolves with its listening ports once it is ready for miners. */
  start(accounts: readonly string[]): Promise<Ports> {
    this.#accounts = accounts;
    return this.#spawn(this.#config);
  }

  /** The thread's vitals since the last call; undefined when it is not running. */
  async vitals(): Promise<StratumVitals | undefined> {
    const answer = await this.#ask((request) => ({ kind: 'vitals', request }));
    return answer?.kind === 'vitals' ? answer.vitals : undefined;
  }

  /** The thread's counters since it started; undefined when it is not running. */
  async counters(): Promise<StratumCounters | undefined> {
    const answer = await this.#ask((request) => ({ kind: 'counters', request }));
    return answer?.kind === 'counters' ? answer.counters : undefined;
  }

  /** The named accounts miners may mine under; resolves once the thread has them. */
  async setAccounts(names: readonly string[]): Promise<void> {
    this.#accounts = names;
    await this.#ask((request) => ({ kind: 'accounts', request, names }));
  }

  /** Miners get client.reconnect, shares are stored; resolves when the thread has ended. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const worker = this.#worker;
    if (!worker) {
      return;
    }
    await new Promise<void>((resolve) => {
      // A thread that does not end is ended: what it had not stored waits in its journal.
      const overdue = setTimeout(
        () => {
          this.#log.error('pool: the Stratum thread did not stop in time; it is terminated');
          void worker.terminate();
        },
        this.#config.stratum.drainTimeoutSeconds * 1000 + STOP_ALLOWANCE_MS,
      );
      worker.once('exit', () => {
        clearTimeout(overdue);
        resolve();
      });
      worker.postMessage({ kind: 'stop' } satisfies HostMessage);
    });
  }

  #ask(message: (request: number) => HostMessage): Promise<ThreadMessage | undefined> {
    const worker = this.#worker;
    if (!worker) {
      return Promise.resolve(undefined);
    }
    const request = this.#nextRequest++;
    return new Promise((resolve) => {
      this.#waiting.set(request, resolve);
      worker.postMessage(message(request));
    });
  }

  /** Every question still unanswered is answered undefined: the thread that was asked is gone. */
  #forgetQuestions(): void {
    for (const answer of this.#waiting.values()) {
      answer(undefined);
    }
    this.#waiting.clear();
  }

  #spawn(config: Config): Promise<Ports> {
    const self = fileURLToPath(import.meta.url);
    const extension = path.extname(self);
    const { node, relay, storage, journals } = this.#parts;
    const data: StratumThreadData = {
      entry: new URL(`./stratum-thread-entry${extension}`, import.meta.url).href,
      config,
      node: { rpcUrl: node.rpcUrl, auth: node.auth, zmqUrl: node.zmqUrl },
      accounts: this.#accounts,
      logLevel: this.#log.level,
    };
    const worker = new Worker(new URL('./thread-loader.mjs', import.meta.url), {
      workerData: data,
      name: 'stratum',
    });
    this.#worker = worker;
    const unserveTemplates = relay.serve(portChannel(worker));
    const unserveStorage = storage ? serveStorageChannel(worker, storage, this.#log) : undefined;
    return new Promise<Ports>((resolve, reject) => {
      let listening: Ports | undefined;
      let failure: string | undefined;
      worker.on('message', (message: ThreadMessage) => {
        switch (message.kind) {
          case 'log':
            relog(this.#log, message.line);
            break;
          case 'journal':
            journals.set(message.journal);
            break;
          case 'ready':
            listening = message;
            resolve(message);
            // A stop asked for while it started (a restart) came before it listened for one.
            if (this.#stopping) {
              worker.postMessage({ kind: 'stop' } satisfies HostMessage);
            }
            break;
          case 'failed':
            failure = message.problem;
            break;
          case 'vitals':
          case 'counters':
          case 'accounts': {
            const answer = this.#waiting.get(message.request);
            this.#waiting.delete(message.request);
            answer?.(message);
            break;
          }
          default:
            break;
        }
      });
      worker.on('error', (error) => {
        failure ??= error.message;
        this.#log.error({ err: error }, 'pool: the Stratum thread failed');
      });
      worker.once('exit', (code) => {
        unserveTemplates();
        unserveStorage?.();
        this.#forgetQuestions();
        journals.forget(config.stratum.nodeId);
        this.#worker = undefined;
        if (!listening) {
          reject(
            new Error(failure ?? `the Stratum thread ended before it was ready (exit code ${String(code)})`),
          );
          return;
        }
        if (this.#stopping) {
          return;
        }
        this.#log.error({ code, problem: failure }, 'pool: the Stratum thread died; starting it again');
        // On the ports it had: miners reconnect where they were.
        const again = {
          ...config,
          stratum: {
            ...config.stratum,
            port: listening.port,
            ...(listening.tlsPort !== undefined && { tlsPort: listening.tlsPort }),
            ...(listening.soloPort !== undefined && { soloPort: listening.soloPort }),
            ...(listening.sv2Port !== undefined && { v2Port: listening.sv2Port }),
            ...(listening.jdsPort !== undefined && { jdsPort: listening.jdsPort }),
          },
        };
        this.#spawn(again).catch((error: unknown) => {
          this.#log.error({ err: error }, 'pool: the Stratum thread could not be started again');
        });
      });
    });
  }
}
