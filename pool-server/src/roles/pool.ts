/** The pool in the roles its configuration names: in this process, or over several. */
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { JournalState } from '../api/pool-facts.ts';
import { RelayedTemplateSource } from '../chain/template-relay.ts';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import { RegisteredAccountList } from '../ledger/registered-accounts.ts';
import { keepPoolUptime } from '../ledger/pool-uptime.ts';
import type { LedgerBus } from '../ledger/share-stream.ts';
import { StorageChannel } from '../ledger/storage-channel.ts';
import { keepAccountsCurrent, type AccountsKeeper } from './accounts.ts';
import type { Books } from './books.ts';
import { runCluster } from './cluster.ts';
import { JournalStates } from './journals.ts';
import { PoolMetrics } from './metrics.ts';
import type { StratumReading } from './stratum-metrics.ts';
import { nodeTemplates, poolPayoutAddress, type Node } from './node.ts';
import { StartedParts, startSharedParts, startTemplateRelay, type RunningPool } from './parts.ts';
import { startStratum } from './stratum-node.ts';
import { channelOutlet, stratumOutlet, storageHandlers, type StratumOutlet } from './stratum-outlet.ts';
import {
  accountsFromPrimary,
  primaryChannel,
  primaryPort,
  reportJournalToPrimary,
} from './stratum-process.ts';
import { StratumThread } from './stratum-thread.ts';
import { VitalsRecorder, type StratumCounters, type StratumVitals } from './stratum-vitals.ts';

export type { RunningPool } from './parts.ts';

/** What the Stratum side of a process works with, once its shared parts have started. */
interface StratumContext {
  readonly config: Config;
  readonly node: Node;
  readonly rpc: BitcoinRpcClient;
  readonly db: Database | undefined;
  readonly books: Books | undefined;
  readonly bus: LedgerBus | undefined;
  readonly journals: JournalStates;
  readonly started: StartedParts;
  readonly log: Logger;
}

/** The Stratum side as the pool's handle sees it. */
interface StratumSide {
  readonly port: number;
  readonly tlsPort: number | undefined;
  readonly soloPort: number | undefined;
  readonly sv2Port: number | undefined;
  readonly jdsPort: number | undefined;
  readonly accounts: AccountsKeeper | undefined;
  vitals(): Promise<StratumVitals | undefined>;
  counters(): Promise<StratumCounters | undefined>;
}

/**
 * The Stratum role on a thread of its own: with one Stratum process, and the database
 * here or NATS (the thread then publishes to the stream itself).
 */
function inOwnThread(context: StratumContext): boolean {
  return (
    context.config.stratum.thread &&
    !cluster.isWorker &&
    (context.bus !== undefined || (context.db !== undefined && context.books !== undefined))
  );
}

async function stratumThread(context: StratumContext): Promise<StratumSide> {
  const { config, node, rpc, db, books, bus, journals, started, log } = context;
  const relay = await startTemplateRelay(config, rpc, node, started, log);
  // With NATS the thread publishes its batches and blocks; otherwise this thread stores them.
  const storage =
    bus === undefined && db && books
      ? storageHandlers(stratumOutlet(config, { db, books, bus: undefined }))
      : undefined;
  const thread = new StratumThread(config, { node, relay, storage, journals }, log);
  const delivered: { names: readonly string[] } = { names: [] };
  // Read before the thread starts, handed to it at its start; later lists go to it as messages.
  // A Stratum node without the database knows no named accounts, as on its main thread.
  let running = false;
  const accounts = db
    ? await keepAccountsCurrent(
        db,
        async (names) => {
          delivered.names = names;
          if (running) {
            await thread.setAccounts(names);
          }
        },
        log,
      )
    : undefined;
  started.push(async () => accounts?.stop());
  const ports = await thread.start(delivered.names);
  running = true;
  started.push(() => thread.stop());
  return { ...ports, accounts, vitals: () => thread.vitals(), counters: () => thread.counters() };
}

/** A forked Stratum process without NATS: its primary stores its shares and keeps its accounts list. */
async function primaryOutlet(
  config: Config,
  list: RegisteredAccountList,
  started: StartedParts,
): Promise<StratumOutlet> {
  await accountsFromPrimary(list);
  const channel = new StorageChannel(primaryPort());
  started.push(() => {
    channel.close('the Stratum process stopped');
    return Promise.resolve();
  });
  return channelOutlet(config, channel);
}

async function stratumHere(context: StratumContext): Promise<StratumSide> {
  const { config, node, rpc, db, books, bus, journals, started, log } = context;
  const list = new RegisteredAccountList();
  const primaryStores = cluster.isWorker && bus === undefined;
  const outlet = primaryStores
    ? await primaryOutlet(config, list, started)
    : stratumOutlet(config, { db, books, bus });
  const accounts =
    db && !primaryStores
      ? await keepAccountsCurrent(
          db,
          (names) => {
            list.replace(names);
          },
          log,
        )
      : undefined;
  started.push(async () => accounts?.stop());
  const vitals = new VitalsRecorder();
  started.push(() => {
    vitals.stop();
    return Promise.resolve();
  });
  const stratum = await startStratum(
    config,
    {
      rpc,
      // A forked Stratum process takes its host's templates from the primary: one longpoll a host.
      templates: cluster.isWorker
        ? new RelayedTemplateSource(primaryChannel(), (error) => {
            log.error(
              { err: error },
              'work: a relayed template could not be used; miners keep the current job',
            );
          })
        : nodeTemplates(config, rpc, node, log),
      outlet,
      accounts: list,
      bus,
      reportJournal: cluster.isWorker
        ? reportJournalToPrimary
        : (state: JournalState): void => {
            journals.set(state);
          },
      vitals,
    },
    log,
  );
  started.push(() => stratum.stop());
  return {
    ...stratum,
    accounts,
    vitals: () => Promise.resolve(vitals.take()),
    counters: () => Promise.resolve(vitals.counters()),
  };
}

/** Starts the pool on a validated configuration, in the roles it names. Tests start it here too. */
export async function run(config: Config, log: Logger): Promise<RunningPool> {
  // A forked Stratum process of several is a Stratum node and nothing else: the primary does the rest.
  const roles = new Set(cluster.isWorker ? ['stratum'] : config.roles);
  const started = new StartedParts();
  const journals = new JournalStates();
  // A forked Stratum process's counters are served by its primary's listener.
  const metrics = config.metrics.port === undefined || cluster.isWorker ? undefined : new PoolMetrics(config);
  return started.unwindingOnFailure(async () => {
    const { bus, storage, node, rpc, books, apiPort, readiness } = await startSharedParts(
      config,
      roles,
      started,
      journals,
      log,
      metrics?.api,
    );
    const db = storage?.db;
    const payoutAddress = roles.has('stratum') ? await poolPayoutAddress(config, rpc) : undefined;
    const context: StratumContext = {
      // The Stratum side pays where this process decided: the devchain's wallet gives a new address each time.
      config: { ...config, pool: { ...config.pool, ...(payoutAddress !== undefined && { payoutAddress }) } },
      node,
      rpc,
      db,
      books,
      bus,
      journals,
      started,
      log,
    };
    const stratumThreaded = roles.has('stratum') && inOwnThread(context);
    const stratum = roles.has('stratum')
      ? await (stratumThreaded ? stratumThread(context) : stratumHere(context))
      : undefined;
    const nodeId = config.stratum.nodeId;
    if (stratum && db) {
      // Stopped before Stratum is (parts stop last first): the span ends as miners are let go.
      const uptime = await keepPoolUptime(db, nodeId, log);
      started.push(() => uptime.stop());
    }
    const listener = await metrics?.listen(
      {
        stratum:
          stratum &&
          (async (): Promise<StratumReading[]> => {
            const counters = await stratum.counters();
            return counters ? [{ nodeId, counters }] : [];
          }),
        db,
        bus,
        readiness,
      },
      log,
    );
    if (listener) {
      started.push(() => listener.stop());
    }
    log.info(
      {
        roles: [...roles],
        nats: config.nats.url,
        stratumThread: stratumThreaded,
      },
      'pool: started',
    );
    return {
      stratumPort: stratum?.port ?? 0,
      tlsPort: stratum?.tlsPort,
      soloPort: stratum?.soloPort,
      sv2Port: stratum?.sv2Port,
      jdsPort: stratum?.jdsPort,
      apiPort,
      metricsPort: listener?.port,
      devnode: node.devnode,
      db,
      async registerAccount(name) {
        if (!stratum?.accounts || payoutAddress === undefined) {
          throw new Error('registering an account needs the Stratum role and the database here');
        }
        await stratum.accounts.register(name, payoutAddress);
      },
      stratumVitals: () => stratum?.vitals() ?? Promise.resolve(undefined),
      stratumCounters: () => stratum?.counters() ?? Promise.resolve(undefined),
      stop: () => started.stopAll(),
    };
  });
}

/** Starts the pool as the configuration asks: one process, or several sharing the Stratum port. */
export function start(config: Config, log: Logger): Promise<RunningPool> {
  return cluster.isPrimary && config.stratum.processes > 1 ? runCluster(config, log) : run(config, log);
}
