/**
 * The pool's books as the roles use them: found blocks and their journal, the runtime
 * settings, where shares are stored, and the ledger's periodic duties.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/pool.ts';
import { cbrDaily, jsonSource, mempoolPrices, readPriceSources } from '../farms/economics/price-sources.ts';
import { BlockJournal } from '../ledger/blocks/block-journal.ts';
import { BlockLedger, type BlockLedgerSettings } from '../ledger/blocks/block-ledger.ts';
import { BlockMaturity } from '../ledger/blocks/block-maturity.ts';
import { Payouts } from '../ledger/payouts.ts';
import { PoolSettingsStore } from '../ledger/pool-settings.ts';
import { foldRollups } from '../ledger/rollups.ts';
import { Schedule, type Duty } from '../ledger/schedule.ts';
import { perShareCredits } from '../ledger/schemes/pps.ts';
import { ShareStore } from '../ledger/share-store.ts';

const SATOSHIS_PER_BTC = 100_000_000;

/** The pool's books: found blocks, the journal of blocks the database missed, runtime settings. */
export interface Books {
  readonly ledger: BlockLedger;
  readonly journal: BlockJournal;
  readonly settings: PoolSettingsStore;
}

/** The settings an admin may change while the pool runs, over the configuration's defaults. */
function runtimeSettings(config: Config, db: Database): PoolSettingsStore {
  return new PoolSettingsStore(db, {
    feePercent: config.pool.feePercent,
    payoutsEnabled: config.payouts.enabled,
    payoutThresholdSats: Math.round(config.payouts.thresholdBtc * SATOSHIS_PER_BTC),
  });
}

const feeBasisPoints = (settings: PoolSettingsStore) => async (): Promise<number> =>
  Math.round((await settings.current()).feePercent * 100);

function ledgerSettings(config: Config, settings: PoolSettingsStore): () => Promise<BlockLedgerSettings> {
  const fee = feeBasisPoints(settings);
  return async () => ({
    scheme: config.pool.scheme,
    feeBasisPoints: await fee(),
    pplnsWindowFactor: config.pool.pplnsWindowFactor,
  });
}

/** The books of a process with the database: found blocks, their journal, runtime settings. */
export function booksOf(config: Config, db: Database, log: Logger): Books {
  const settings = runtimeSettings(config, db);
  return {
    settings,
    ledger: new BlockLedger(db, ledgerSettings(config, settings), log),
    journal: new BlockJournal(path.join(config.dataDir, 'blocks.jsonl')),
  };
}

/** Where accepted shares are stored in the database, PPS credits with them. */
export function shareStore(config: Config, db: Database, settings: PoolSettingsStore): ShareStore {
  const store = new ShareStore(db);
  if (config.pool.scheme !== 'pplns') {
    store.onBatch(perShareCredits(config.pool.scheme, feeBasisPoints(settings)));
  }
  return store;
}

/**
 * The ledger's periodic duties, run by one process only (the primary when there are
 * several): rollup increments folded, found blocks the journal holds and the books do not (found while the
 * database was away) are recorded, pending blocks followed to maturity, miners paid.
 */
export function ledgerSchedule(
  config: Config,
  db: Database,
  rpc: BitcoinRpcClient,
  books: Books,
  log: Logger,
): Schedule {
  const { ledger, journal, settings } = books;
  const maturity = new BlockMaturity(rpc, ledger, config.payouts.maturityConfirmations, log);
  const duties: Duty[] = [
    {
      name: 'rollups',
      intervalMs: config.ledger.rollupFoldSeconds * 1000,
      run: () => foldRollups(db),
    },
    {
      name: 'blocks',
      intervalMs: config.payouts.maturityCheckSeconds * 1000,
      async run() {
        const { blocks, unreadable } = await journal.read();
        if (unreadable > 0) {
          log.warn({ unreadable }, 'ledger: the block journal has lines that are not blocks');
        }
        const recorded = await ledger.recordMissing(blocks);
        if (recorded > 0) {
          log.warn({ recorded }, 'ledger: found blocks recorded from the journal');
        }
        await maturity.check();
      },
    },
  ];
  const payouts = new Payouts(
    db,
    rpc,
    async () => ({
      thresholdSats: BigInt((await settings.current()).payoutThresholdSats),
      maxRecipients: config.payouts.maxRecipients,
    }),
    log,
  );
  duties.push({
    name: 'payouts',
    intervalMs: config.payouts.intervalSeconds * 1000,
    async run() {
      if ((await settings.current()).payoutsEnabled) {
        await payouts.run();
      }
    },
  });
  const prices = [
    ...(config.prices.mempoolUrl === undefined ? [] : [mempoolPrices(config.prices.mempoolUrl)]),
    ...(config.prices.cbrUrl === undefined ? [] : [cbrDaily(config.prices.cbrUrl)]),
    ...config.prices.json.map((settings) => jsonSource(settings)),
  ];
  if (prices.length > 0) {
    duties.push({
      name: 'prices',
      intervalMs: config.prices.intervalMinutes * 60_000,
      run: () => readPriceSources(db, prices, log),
    });
  }
  return new Schedule(duties, log);
}
