/** The pool in the roles its configuration names: in this process, or over several. */
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import type { JournalState } from '../api/pool-facts.ts';
import type { Config } from '../config.ts';
import { runCluster } from './cluster.ts';
import { JournalStates } from './journals.ts';
import { StartedParts, startSharedParts, type RunningPool } from './parts.ts';
import { startStratum } from './stratum-node.ts';
import { reportJournalToPrimary } from './stratum-process.ts';

export type { RunningPool } from './parts.ts';

/** Starts the pool on a validated configuration, in the roles it names. Tests start it here too. */
export async function run(config: Config, log: Logger): Promise<RunningPool> {
  // A forked Stratum process of several is a Stratum node and nothing else: the primary does the rest.
  const roles = new Set(cluster.isWorker ? ['stratum'] : config.roles);
  const started = new StartedParts();
  const journals = new JournalStates();
  return started.unwindingOnFailure(async () => {
    const { bus, storage, node, rpc, books, apiPort } = await startSharedParts(
      config,
      roles,
      started,
      journals,
      log,
    );
    const reportJournal = cluster.isWorker
      ? reportJournalToPrimary
      : (state: JournalState): void => {
          journals.set(state);
        };
    const stratum = roles.has('stratum')
      ? await startStratum(config, { rpc, node, db: storage?.db, books, bus, reportJournal }, log)
      : undefined;
    started.push(async () => stratum?.stop());
    log.info({ roles: [...roles], nats: config.nats.url }, 'pool: started');
    return {
      stratumPort: stratum?.port ?? 0,
      tlsPort: stratum?.tlsPort,
      soloPort: stratum?.soloPort,
      apiPort,
      devnode: node.devnode,
      db: storage?.db,
      registerAccount: (name) =>
        stratum ? stratum.registerAccount(name) : Promise.reject(new Error('no Stratum role here')),
      stop: () => started.stopAll(),
    };
  });
}

/** Starts the pool as the configuration asks: one process, or several sharing the Stratum port. */
export function start(config: Config, log: Logger): Promise<RunningPool> {
  return cluster.isPrimary && config.stratum.processes > 1 ? runCluster(config, log) : run(config, log);
}
