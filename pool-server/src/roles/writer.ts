/**
 * The writer role: the ledger's schedule (rollups, journalled blocks, maturity,
 * payouts, prices), the alerts' round and, with NATS, the stream of what the Stratum
 * nodes publish.
 */
import type { Logger } from 'pino';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import { checkWallet } from '../chain/startup-checks.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import { recordTemplate } from '../farms/economics/network.ts';
import { consumeLedger, writerHandlers, type LedgerBus } from '../ledger/share-stream.ts';
import { startAlerts } from './alerts.ts';
import { alertSecretKeyFile } from './storage.ts';
import { AlertSecretKeys } from '../alerts/secret-keys.ts';
import { ledgerSchedule, shareStore, type Books } from './books.ts';

export interface RunningRole {
  stop(): Promise<void>;
}

export async function startWriter(
  config: Config,
  db: Database,
  rpc: BitcoinRpcClient,
  books: Books,
  bus: LedgerBus | undefined,
  log: Logger,
): Promise<RunningRole> {
  if ((await books.settings.current()).payoutsEnabled) {
    const wallet = await checkWallet(rpc, config.pool.payoutAddress);
    log.info({ wallet }, "ledger: payouts are paid from the node's wallet");
  }
  const schedule = ledgerSchedule(config, db, rpc, books, log);
  schedule.start();
  const alerts = config.alerts.enabled
    ? startAlerts(
        {
          alerts: config.alerts,
          gapAlertPercent: config.farms.hashrateGapAlertPercent,
          dataDir: config.dataDir,
          secrets: AlertSecretKeys.open(alertSecretKeyFile(config)),
        },
        db,
        log,
      )
    : undefined;
  const consumer =
    bus === undefined
      ? undefined
      : await consumeLedger(
          bus,
          config.nats.writerName,
          writerHandlers(
            db,
            shareStore(config, db, books.settings),
            books.ledger,
            (facts) => recordTemplate(db, facts),
            log,
          ),
          log,
        );
  return {
    async stop() {
      await consumer?.stop();
      await alerts?.stop();
      await schedule.stop();
    },
  };
}
