/**
 * What every process of the pool starts before its Stratum side (NATS, the database,
 * the node, the API and the writer of its roles), and the running pool's handle.
 */
import cluster from 'node:cluster';
import type { Readiness } from '@hashwatt/schemas';
import type { Logger } from 'pino';
import type { ApiMetrics } from '../api/metrics.ts';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import { TemplateRelay } from '../chain/template-relay.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import type { DevNode } from '../dev/devchain/node.ts';
import { LedgerBus } from '../ledger/share-stream.ts';
import { startApiRole } from './api.ts';
import { booksOf, type Books } from './books.ts';
import type { JournalStates } from './journals.ts';
import { connectNode, nodeTemplates, rpcClient, type Node } from './node.ts';
import { processReadiness } from './readiness.ts';
import { closeStorage, connectDatabase, type Storage } from './storage.ts';
import type { StratumCounters, StratumVitals } from './stratum-vitals.ts';
import { startWriter } from './writer.ts';

export interface RunningPool {
  /** 0 without the stratum role (a writer or API process listens for no miner). */
  readonly stratumPort: number;
  readonly tlsPort: number | undefined;
  readonly soloPort: number | undefined;
  /** Stratum V2's port, when stratum.v2Port is set. */
  readonly sv2Port: number | undefined;
  /** The Job Declaration Server's port, when stratum.jdsPort is set. */
  readonly jdsPort: number | undefined;
  /** The HTTP API's port; undefined without the api role, in a Stratum process of several, or with api.enabled false. */
  readonly apiPort: number | undefined;
  /** The metrics listener's port (metrics.port; /metrics, /healthz, /readyz); undefined when it is not configured. */
  readonly metricsPort: number | undefined;
  /** The built-in devchain, when no node is configured. */
  readonly devnode: DevNode | undefined;
  /** The pool's database (what the demo farm is recorded in); a Stratum node sending to NATS has none. */
  readonly db: Database | undefined;
  /** Registers a named account paid at the pool's own address; its miners may connect at once. */
  registerAccount(name: string): Promise<void>;
  /** The Stratum event loop's vitals since the last call; undefined without a Stratum role here (or with forked Stratum processes). */
  stratumVitals(): Promise<StratumVitals | undefined>;
  /** The Stratum role's counters since it started; undefined without a Stratum role here (or with forked Stratum processes: see metricsPort). */
  stratumCounters(): Promise<StratumCounters | undefined>;
  stop(): Promise<void>;
}

/** What has started, stopped last first: by the pool's stop(), or when a later part cannot start. */
export class StartedParts {
  readonly #stops: (() => Promise<unknown>)[] = [];

  push(stop: () => Promise<unknown>): void {
    this.#stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (let stop = this.#stops.pop(); stop; stop = this.#stops.pop()) {
      await stop();
    }
  }

  /** Runs `start`, which pushes the stop of each part it starts; if it throws, stops those first. */
  async unwindingOnFailure<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (error) {
      await this.stopAll();
      throw error;
    }
  }
}

/** The connection to NATS when the configuration names one: the ledger's traffic between processes. */
function ledgerBus(config: Config, roles: ReadonlySet<string>, log: Logger): LedgerBus | undefined {
  const { nats } = config;
  return nats.url === undefined
    ? undefined
    : new LedgerBus(
        {
          url: nats.url,
          name: `hashwatt ${[...roles].join('+')} node ${String(config.stratum.nodeId)}`,
          stream: nats.stream,
          subjectPrefix: nats.subjectPrefix,
          duplicateWindowSeconds: nats.duplicateWindowSeconds,
        },
        log,
      );
}

/**
 * What a process needs before its Stratum side, in order, each part's stop on `started`:
 * NATS, the database, the node, then the API and the writer of `roles`. `apiMetrics`:
 * where the API counts its requests, when this process exports metrics.
 */
export async function startSharedParts(
  config: Config,
  roles: ReadonlySet<string>,
  started: StartedParts,
  journals: JournalStates,
  log: Logger,
  apiMetrics?: ApiMetrics,
): Promise<{
  readonly bus: LedgerBus | undefined;
  readonly storage: Storage | undefined;
  readonly node: Node;
  readonly rpc: BitcoinRpcClient;
  readonly books: Books | undefined;
  readonly apiPort: number | undefined;
  readonly readiness: () => Promise<Readiness>;
}> {
  const bus = ledgerBus(config, roles, log);
  started.push(async () => bus?.close());
  // A Stratum node that sends its shares through NATS keeps no database, nor does a
  // forked Stratum process, whose primary stores them.
  const storage =
    roles.has('writer') || roles.has('api') || (bus === undefined && !cluster.isWorker)
      ? await connectDatabase(config, log)
      : undefined;
  started.push(() => closeStorage(storage));
  const node = await connectNode(config, log);
  started.push(async () => node.devnode?.stop());
  const rpc = rpcClient(config, node);
  started.push(() => {
    rpc.close();
    return Promise.resolve();
  });
  const books = storage ? booksOf(config, storage.db, log) : undefined;
  const readiness = processReadiness({ db: storage?.db, rpc, bus, journals });
  const api =
    roles.has('api') && storage && books
      ? await startApiRole(config, storage.db, rpc, books.settings, journals, log, {
          metrics: apiMetrics,
          readiness,
        })
      : undefined;
  started.push(async () => api?.stop());
  const writer =
    roles.has('writer') && storage && books
      ? await startWriter(config, storage.db, rpc, books, bus, log)
      : undefined;
  started.push(async () => writer?.stop());
  return { bus, storage, node, rpc, books, apiPort: api?.port, readiness };
}

/**
 * The host's one template source, served by a relay to the Stratum thread or the forked
 * Stratum processes; its stop on `started`.
 */
export async function startTemplateRelay(
  config: Config,
  rpc: BitcoinRpcClient,
  node: Node,
  started: StartedParts,
  log: Logger,
): Promise<TemplateRelay> {
  const templates = nodeTemplates(config, rpc, node, log);
  const relay = new TemplateRelay(templates);
  await templates.start();
  started.push(() => {
    templates.stop();
    return Promise.resolve();
  });
  return relay;
}
