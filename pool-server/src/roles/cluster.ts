/**
 * The supervisor of stratum.processes > 1: this process keeps the node (or the
 * devchain), the database, the writer and the API, and forks Stratum processes that
 * share the port. Without NATS it stores what they hand it (storage-channel.ts over
 * their IPC channels) and keeps their accounts lists: their event loops do Stratum only.
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { TemplateRelay } from '../chain/template-relay.ts';
import { configToEnvironment, type Config } from '../config.ts';
import { serveStorageChannel, type ChannelPort, type StorageHandlers } from '../ledger/storage-channel.ts';
import { nodeInstance } from '../stratum/node-claim.ts';
import { keepAccountsCurrent } from './accounts.ts';
import { JournalStates } from './journals.ts';
import { PoolMetrics } from './metrics.ts';
import type { StratumReading } from './stratum-metrics.ts';
import { poolPayoutAddress } from './node.ts';
import { keepPoolUptime } from '../ledger/pool-uptime.ts';
import { StartedParts, startSharedParts, startTemplateRelay, type RunningPool } from './parts.ts';
import { storageHandlers, stratumOutlet } from './stratum-outlet.ts';
import type { WorkerMessage } from './stratum-process.ts';

/**
 * What a Stratum process runs: the composition root beside this folder, in the form this
 * process runs (main.ts from source, main.js compiled), with this process's Node options.
 * TypeScript source needs the tsx loader, which a process that registered it in code
 * (bin/hashwatt.js, a test runner) does not have among its options.
 */
function stratumProcessEntry(): { exec: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const extension = path.extname(self);
  const exec = path.join(path.dirname(self), '..', `main${extension}`);
  const loaded = process.execArgv.some((option) => option.includes('tsx'));
  return {
    exec,
    // Resolved from here: the process may have been started from any folder.
    execArgv:
      extension === '.ts' && !loaded
        ? [...process.execArgv, '--import', import.meta.resolve('tsx')]
        : process.execArgv,
  };
}

/**
 * Each forked process is a whole pool with its own node id, so their extranonce1 ranges
 * never meet. A process that dies once ready is started again; one that exits before it
 * is ready fails the start, and what had started is stopped.
 */
export async function runCluster(config: Config, log: Logger): Promise<RunningPool> {
  const started = new StartedParts();
  const journals = new JournalStates();
  const metrics = config.metrics.port === undefined ? undefined : new PoolMetrics(config);
  return started.unwindingOnFailure(async () => {
    // Migrated once here; Stratum processes without NATS share the database (the embedded one runs here).
    const { storage, node, rpc, books, bus, apiPort, readiness } = await startSharedParts(
      config,
      new Set(config.roles),
      started,
      journals,
      log,
      metrics?.api,
    );
    // The Stratum processes share this data directory's instance id (their node id claims); made once, here.
    nodeInstance(config.dataDir);
    const relay = await startTemplateRelay(config, rpc, node, started, log);
    // With NATS the processes publish to the stream themselves.
    const storing =
      storage && books && !bus
        ? storageHandlers(stratumOutlet(config, { db: storage.db, books, bus: undefined }))
        : undefined;
    const processes = new StratumProcesses(relay, journals, storing, log);
    if (storage && !bus) {
      const accounts = await keepAccountsCurrent(
        storage.db,
        (names) => {
          processes.setAccounts(names);
        },
        log,
      );
      started.push(() => accounts.stop());
    }
    started.push(() => processes.stop());
    const auth = node.auth;
    const ports = await processes.start(config.stratum.processes, config.stratum.nodeId, {
      ...configToEnvironment(config),
      ...(storage && { HASHWATT_DATABASE_URL: storage.url }),
      HASHWATT_NODE_RPC_URL: node.rpcUrl,
      HASHWATT_POOL_PAYOUT_ADDRESS: await poolPayoutAddress(config, rpc),
      HASHWATT_STRATUM_PROCESSES: '1',
      ...('cookieFile' in auth
        ? { HASHWATT_NODE_RPC_COOKIE_FILE: auth.cookieFile }
        : { HASHWATT_NODE_RPC_USER: auth.user, HASHWATT_NODE_RPC_PASSWORD: auth.password }),
      ...(node.zmqUrl !== undefined && { HASHWATT_NODE_ZMQ_URL: node.zmqUrl }),
    });
    log.info({ processes: config.stratum.processes, port: ports.port }, 'pool: Stratum processes ready');
    // The processes have no database of their own: the primary marks that they accept miners, as one node.
    if (storage) {
      const uptime = await keepPoolUptime(storage.db, config.stratum.nodeId, log);
      started.push(() => uptime.stop());
    }
    const listener = await metrics?.listen(
      { stratum: () => processes.counters(), db: storage?.db, bus, readiness },
      log,
    );
    if (listener) {
      started.push(() => listener.stop());
    }
    return {
      stratumPort: ports.port,
      tlsPort: ports.tlsPort,
      soloPort: ports.soloPort,
      sv2Port: ports.sv2Port,
      jdsPort: ports.jdsPort,
      apiPort,
      metricsPort: listener?.port,
      devnode: node.devnode,
      db: storage?.db,
      // Each Stratum process reads the accounts itself: one registered here is seen within ACCOUNTS_REFRESH_MS.
      registerAccount: () =>
        Promise.reject(new Error('register accounts in the database with several Stratum processes')),
      stratumVitals: () => Promise.resolve(undefined),
      stratumCounters: () => Promise.resolve(undefined),
      stop: () => started.stopAll(),
    };
  });
}

/** A Stratum process busy past this long is left out of a scrape rather than hold it. */
const COUNTERS_WITHIN_MS = 1_000;

/** A forked process's IPC channel as the storage channel sees it. */
function workerPort(worker: Worker): ChannelPort {
  return {
    postMessage(value) {
      if (worker.isConnected()) {
        worker.send(value as WorkerMessage);
      }
    },
    on(event, listener) {
      return worker.on(event, listener);
    },
    off(event, listener) {
      return worker.off(event, listener);
    },
  };
}

/**
 * The forked Stratum processes of runCluster, each sent its templates by `relay` and the
 * named accounts list, its handoffs stored through `storing` (without NATS).
 */
class StratumProcesses {
  readonly #relay: TemplateRelay;
  readonly #journals: JournalStates;
  readonly #storing: StorageHandlers | undefined;
  readonly #log: Logger;
  #accounts: readonly string[] = [];
  readonly #workers = new Map<number, { readonly worker: Worker; readonly nodeId: number; ready: boolean }>();
  #stopping = false;

  constructor(
    relay: TemplateRelay,
    journals: JournalStates,
    storing: StorageHandlers | undefined,
    log: Logger,
  ) {
    this.#relay = relay;
    this.#journals = journals;
    this.#storing = storing;
    this.#log = log;
  }

  /** The named accounts every process lets miners mine under: sent to each now, and to each that asks. */
  setAccounts(names: readonly string[]): void {
    this.#accounts = names;
    for (const { worker } of this.#workers.values()) {
      if (worker.isConnected()) {
        worker.send({ kind: 'accounts', names } satisfies WorkerMessage);
      }
    }
  }

  /** Each ready process's Stratum counters, asked over its channel; one that does not answer in time is left out. */
  async counters(): Promise<StratumReading[]> {
    const asked = [...this.#workers.values()]
      .filter(({ worker, ready }) => ready && worker.isConnected())
      .map(
        ({ worker, nodeId }) =>
          new Promise<StratumReading | undefined>((resolve) => {
            const answer = (message: WorkerMessage): void => {
              if (message.kind === 'counters') {
                settle(message.counters && { nodeId, counters: message.counters });
              }
            };
            const late = setTimeout(() => {
              settle(undefined);
            }, COUNTERS_WITHIN_MS);
            const settle = (reading: StratumReading | undefined): void => {
              clearTimeout(late);
              worker.off('message', answer);
              resolve(reading);
            };
            worker.on('message', answer);
            worker.send({ kind: 'counters' } satisfies WorkerMessage);
          }),
      );
    return (await Promise.all(asked)).filter((reading) => reading !== undefined);
  }

  /**
   * Forks `count` processes, node ids from `firstNodeId` on, with `environment`;
   * resolves with the first one's ports once all are ready.
   */
  async start(
    count: number,
    firstNodeId: number,
    environment: Record<string, string>,
  ): Promise<{
    port: number;
    tlsPort: number | undefined;
    soloPort: number | undefined;
    sv2Port: number | undefined;
    jdsPort: number | undefined;
  }> {
    // Advanced serialization: a batch's typed arrays and a block's bigint amounts cross as they are.
    cluster.setupPrimary({
      ...stratumProcessEntry(),
      args: process.argv.slice(2),
      serialization: 'advanced',
    });
    const ready = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        this.#fork(index, { ...environment, HASHWATT_STRATUM_NODE_ID: String(firstNodeId + index) }),
      ),
    );
    const [first] = ready;
    return {
      port: first?.port ?? 0,
      tlsPort: first?.tlsPort,
      soloPort: first?.soloPort,
      sv2Port: first?.sv2Port,
      jdsPort: first?.jdsPort,
    };
  }

  #fork(index: number, environment: Record<string, string>): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const worker = cluster.fork(environment);
      // Its channel failing (a message to a process that is going) is reported; its exit restarts it.
      worker.on('error', (error) => {
        this.#log.warn({ index, problem: error.message }, 'pool: a Stratum process could not be reached');
      });
      const forked = { worker, nodeId: Number(environment.HASHWATT_STRATUM_NODE_ID), ready: false };
      this.#workers.set(index, forked);
      const unserve = this.#relay.serve({
        send(message) {
          if (worker.isConnected()) {
            worker.send(message);
          }
        },
        listen(handler) {
          worker.on('message', handler);
          return () => worker.off('message', handler);
        },
      });
      const unserveStorage = this.#storing
        ? serveStorageChannel(workerPort(worker), this.#storing, this.#log)
        : undefined;
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'accounts' && worker.isConnected()) {
          worker.send({ kind: 'accounts', names: this.#accounts } satisfies WorkerMessage);
        } else if (message.kind === 'ready') {
          forked.ready = true;
          resolve(message);
        } else if (message.kind === 'journal' && message.journal) {
          this.#journals.set(message.journal);
        }
      });
      worker.once('exit', (code, signal) => {
        unserve();
        unserveStorage?.();
        this.#workers.delete(index);
        this.#journals.forget(Number(environment.HASHWATT_STRATUM_NODE_ID));
        if (this.#stopping) {
          return;
        }
        if (!forked.ready) {
          reject(
            new Error(
              `Stratum process ${String(index)} exited before it was ready (code ${String(code)}, signal ${signal}); its log says why`,
            ),
          );
          return;
        }
        this.#log.error({ index, code, signal }, 'pool: a Stratum process died; starting it again');
        this.#fork(index, environment).catch((error: unknown) => {
          this.#log.error(
            { index, problem: (error as Error).message },
            'pool: a Stratum process could not be started again',
          );
        });
      });
    });
  }

  /**
   * Asks every ready process to stop (miners get client.reconnect, shares are written)
   * and waits for them; one still starting has no miners and listens for no message yet,
   * so it is terminated.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      [...this.#workers.values()].map(
        ({ worker, ready }) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => {
              resolve();
            });
            if (ready) {
              worker.send({ kind: 'stop' } satisfies WorkerMessage);
            } else {
              worker.process.kill('SIGTERM');
            }
          }),
      ),
    );
  }
}
