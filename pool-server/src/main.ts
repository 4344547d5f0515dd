/**
 * The composition root: config -> chain -> work -> stratum. Nothing else wires parts
 * together, and nothing else reads process.env.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { PoolSettings, ReportCalendar, ReportFormat, ReportLanguage } from '@hashwatt/schemas';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino, type Logger } from 'pino';
import { BlockJournal } from './ledger/blocks/block-journal.ts';
import type { DiskHealth, DiskHealthListener } from './db/disk-health.ts';
import { BlockSubmitter, type BlockOutcome } from './chain/block-submitter.ts';
import type { DevNode } from './dev/devchain/node.ts';
import { BitcoinRpcClient, type RpcAuth } from './chain/rpc-client.ts';
import { PendingBlocks } from './ledger/blocks/pending-blocks.ts';
import { checkNode, checkWallet } from './chain/startup-checks.ts';
import { RelayedTemplateSource, TemplateRelay, type TemplateChannel } from './chain/template-relay.ts';
import { TemplateSource, type TemplateFeed } from './chain/template-source.ts';
import { ConfigError, configToEnvironment, loadConfig, type Config } from './config.ts';
import { makeDataDirPrivate } from './data-dir.ts';
import { startKeptDatabase, type RunningDatabase } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { createDatabase, type Database } from './db/pool.ts';
import { BlockLedger, type BlockLedgerSettings } from './ledger/blocks/block-ledger.ts';
import { BlockMaturity } from './ledger/blocks/block-maturity.ts';
import { BlockRelay } from './ledger/blocks/block-relay.ts';
import { Payouts } from './ledger/payouts.ts';
import { foldRollups } from './ledger/rollups.ts';
import { PoolSettingsStore, type RuntimeSettings } from './ledger/pool-settings.ts';
import { checkArguments, checkReportFile } from './farms/reports/verify-file.ts';
import { issueReport, reportFile } from './farms/reports/issued-reports.ts';
import { getFarm } from './farms/farms.ts';
import { commandOf, helpOf, overview } from './cli-commands.ts';
import { createApiKey } from './accounts/api-keys.ts';
import { sessionSettingsFrom } from './accounts/sessions.ts';
import type { DemoFarm } from './dev/demo/demo-farm.ts';
import {
  currentKey,
  openSigningKey,
  registeredKeys,
  rotateSigningKey,
} from './farms/reports/key-registry.ts';
import { recordTemplate } from './farms/economics/network.ts';
import { cbrDaily, jsonSource, mempoolPrices, readPriceSources } from './farms/economics/price-sources.ts';
import { buildApp } from './api/app.ts';
import type { JournalState } from './api/pool-facts.ts';
import { userFromCommand } from './accounts/user-input.ts';
import { createUser, ensureFirstAdmin } from './accounts/users.ts';
import { Memo } from './api/cache.ts';
import { Schedule, type Duty } from './ledger/schedule.ts';
import { RegisteredAccountList, registerAccount } from './ledger/registered-accounts.ts';
import { perShareCredits } from './ledger/schemes/pps.ts';
import { ShareJournal } from './ledger/share-journal.ts';
import { ShareStore, type BatchSink, type ShareRecord } from './ledger/share-store.ts';
import {
  consumeLedger,
  LedgerBus,
  LedgerPublisher,
  type NetworkFacts,
  SHARES_PER_MESSAGE,
  writerHandlers,
} from './ledger/share-stream.ts';
import { ShareWriter } from './ledger/share-writer.ts';
import { ExtranonceAllocator } from './stratum/extranonce.ts';
import {
  claimFreeNodeId,
  claimNodeId,
  NodeIdTaken,
  nodeInstance,
  type NodeClaim,
} from './stratum/node-claim.ts';
import { JobFeed } from './stratum/job-feed.ts';
import { StratumServer } from './stratum/server.ts';
import type { CreditedShare, RejectedSubmit, StratumEvents } from './stratum/session-context.ts';
import { createAddressAuthorizer, isAccountName } from './stratum/worker-identity.ts';
import { minerPayoutScript, payoutScript } from './work/address.ts';
import { assembleBlock } from './work/block.ts';
import { createShareHasher } from './work/share-hasher.ts';
import { difficultyFromBits, encodeCompact, targetFromDifficulty } from './work/target.ts';

const SATOSHIS_PER_BTC = 100_000_000;
/** The node's height and difficulty, as the API shows them, are at most this old. */
const NETWORK_CACHE_MS = 10_000;
const STATS_INTERVAL_MS = 60_000;
/** Found blocks in the journal that NATS has not acknowledged are sent again this often. */
const BLOCK_RESEND_MS = 10_000;
const RESEND_BLOCKS = 'resend blocks';
/** A named account registered in the database may mine under its name after at most this. */
const ACCOUNTS_REFRESH_MS = 60_000;
/** How long a starting Stratum node waits for NATS before serving without it. */
const CLAIM_WAIT_MS = 5_000;
/**
 * A share's reply waits at most about this long in a turn of the event loop for its
 * commit (one journal write for the shares of every connection read meanwhile).
 */
const GROUP_COMMIT_MS = 2;

interface Node {
  readonly rpcUrl: string;
  readonly auth: RpcAuth;
  readonly zmqUrl: string | undefined;
  readonly devnode: DevNode | undefined;
}

async function connectNode(config: Config, log: Logger): Promise<Node> {
  const { node, devchain } = config;
  if (node.rpcUrl !== undefined) {
    const auth: RpcAuth =
      node.rpcCookieFile !== undefined
        ? { cookieFile: node.rpcCookieFile }
        : { user: node.rpcUser ?? '', password: node.rpcPassword ?? '' };
    return { rpcUrl: node.rpcUrl, auth, zmqUrl: node.zmqUrl, devnode: undefined };
  }
  const password = randomBytes(16).toString('hex');
  // Development only: loaded when no node is configured, so production never loads it.
  const { startDevNode } = await import('./dev/devchain/node.ts');
  const devnode = await startDevNode({
    host: '127.0.0.1',
    rpcPort: devchain.rpcPort,
    rpcUser: 'hashwatt',
    rpcPassword: password,
    zmqPort: devchain.zmqPort,
    bits: encodeCompact(targetFromDifficulty(devchain.difficulty)),
    networkBlockIntervalMs: devchain.networkBlockSeconds * 1000,
    transactionIntervalMs: devchain.transactionSeconds * 1000,
    mempoolSize: devchain.mempoolSize,
  });
  log.warn(
    { rpc: devnode.rpcUrl, zmq: devnode.zmqUrl },
    'devchain: no node.rpcUrl configured, running the built-in regtest devchain',
  );
  return { rpcUrl: devnode.rpcUrl, auth: { user: 'hashwatt', password }, zmqUrl: devnode.zmqUrl, devnode };
}

function rpcClient(config: Config, node: Node): BitcoinRpcClient {
  return new BitcoinRpcClient({
    url: node.rpcUrl,
    auth: node.auth,
    timeoutMs: config.node.rpcTimeoutMs,
    retries: 5,
    retryDelayMs: 500,
    maxConcurrentCalls: config.node.rpcConcurrency,
  });
}

/** The other nodes found blocks are offered to: only submitblock and nothing else goes there. */
function submitNodes(config: Config): BitcoinRpcClient[] {
  return config.node.submitNodes.map(
    (other) =>
      new BitcoinRpcClient({
        url: other.rpcUrl,
        auth:
          other.rpcCookieFile !== undefined
            ? { cookieFile: other.rpcCookieFile }
            : { user: other.rpcUser ?? '', password: other.rpcPassword ?? '' },
        timeoutMs: config.node.rpcTimeoutMs,
        retries: 0,
        retryDelayMs: 500,
      }),
  );
}

/** The host's template source: the node's longpoll, ZMQ and tip polls. */
function nodeTemplates(config: Config, rpc: BitcoinRpcClient, node: Node, log: Logger): TemplateSource {
  return new TemplateSource(
    rpc,
    {
      pollIntervalMs: config.node.pollIntervalMs,
      refreshIntervalMs: config.node.refreshIntervalMs,
      longpoll: config.node.longpoll,
      longpollTimeoutMs: 120_000,
      zmqUrl: node.zmqUrl,
    },
    log,
  );
}

/** The IPC channel of a forked Stratum process to its primary, as that process sees it. */
function primaryChannel(): TemplateChannel {
  return {
    send(message) {
      process.send?.(message);
    },
    listen(handler) {
      process.on('message', handler);
      return () => process.off('message', handler);
    },
  };
}

/**
 * The address the pool's coinbases pay: the configured one, or on the devchain an address
 * of its wallet, so that payouts can spend what the pool mines.
 */
async function poolPayoutAddress(config: Config, rpc: BitcoinRpcClient): Promise<string> {
  return config.pool.payoutAddress ?? rpc.call<string>('getnewaddress', ['hashwatt pool']);
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

/** The pool's books: found blocks, the journal of blocks the database missed, runtime settings. */
interface Books {
  readonly ledger: BlockLedger;
  readonly journal: BlockJournal;
  readonly settings: PoolSettingsStore;
}

/**
 * The ledger's periodic duties, run by one process only (the primary when there are
 * several): rollup increments folded, found blocks the journal holds and the books do not (found while the
 * database was away) are recorded, pending blocks followed to maturity, miners paid.
 */
function ledgerSchedule(
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

/** The HTTP API on its port, told about the pool by these facts. */
async function startApi(
  config: Config,
  db: Database,
  rpc: BitcoinRpcClient,
  runtime: PoolSettingsStore,
  journals: JournalStates,
  log: Logger,
): Promise<{ readonly port: number; close(): Promise<void> }> {
  const network = new Memo<{ height: number; difficulty: number }>(1, NETWORK_CACHE_MS);
  const settingsOf = (current: RuntimeSettings): PoolSettings => ({
    scheme: config.pool.scheme,
    feePercent: current.feePercent,
    soloFeePercent: config.pool.soloFeePercent,
    pplnsWindowFactor: config.pool.pplnsWindowFactor,
    payoutsEnabled: current.payoutsEnabled,
    payoutThresholdSats: current.payoutThresholdSats,
    maturityConfirmations: config.payouts.maturityConfirmations,
  });
  const settings = async (): Promise<PoolSettings> => settingsOf(await runtime.current());
  const app = await buildApp({
    db,
    log,
    settings: {
      sessions: sessionSettingsFrom(config.api),
      secureCookies: config.api.secureCookies,
      loginPerMinute: config.api.loginPerMinute,
      trustProxy: config.api.trustProxy,
      liveIntervalMs: config.api.liveIntervalSeconds * 1000,
      bodyLimitBytes: config.api.bodyLimitBytes,
      agentBodyLimitBytes: config.api.agentBodyLimitBytes,
      agentRequestsPerMinute: config.api.agentRequestsPerMinute,
      requestsPerMinute: config.api.requestsPerMinute,
      dashboardDir: dashboardDirectory(config, log),
    },
    farms: config.farms,
    reportSigner: await openSigningKey(db, signingKeyFile(config), log, Date.now()),
    pool: {
      chain: config.chain,
      settings,
      async updateSettings(patch, userId, transaction) {
        return settingsOf(await runtime.update(patch, userId, transaction));
      },
      network: () =>
        network.get('network', async () => {
          const info = await rpc.call<{ blocks: number; difficulty: number }>('getmininginfo');
          return { height: info.blocks, difficulty: info.difficulty };
        }),
      now: () => Date.now(),
      journals: () => journals.list(),
    },
  });
  await app.listen({ host: config.api.host, port: config.api.port });
  // Fastify listens for 'error' only until it listens; a failed accept (EMFILE) then costs that one connection.
  app.server.on('error', (error) => {
    log.error({ problem: error.message }, 'api: the HTTP server failed to accept a connection');
  });
  const { port } = app.server.address() as AddressInfo;
  log.info({ url: `http://${config.api.host}:${String(port)}/api/docs` }, 'api: ready');
  return { port, close: () => app.close() };
}

interface RunningRole {
  stop(): Promise<void>;
}

/**
 * The writer role: the ledger's schedule (rollups, journalled blocks, maturity,
 * payouts, prices) and, with NATS, the stream of what the Stratum nodes publish.
 */
async function startWriter(
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
      await schedule.stop();
    },
  };
}

/** The api role: the HTTP API and the dashboard, and the first admin from the configuration. */
async function startApiRole(
  config: Config,
  db: Database,
  rpc: BitcoinRpcClient,
  runtime: PoolSettingsStore,
  journals: JournalStates,
  log: Logger,
): Promise<{ readonly port: number | undefined; stop(): Promise<void> }> {
  const { email, password } = config.admin;
  if (email !== undefined && password !== undefined) {
    const admin = await ensureFirstAdmin(db, email, password);
    if (admin) {
      log.warn(
        { email: admin.email },
        'api: the first admin was created from admin.email; it sets up two-factor sign-in (an authenticator app) at its first sign-in',
      );
    }
  }
  const api = config.api.enabled ? await startApi(config, db, rpc, runtime, journals, log) : undefined;
  return { port: api?.port, stop: async () => api?.close() };
}

/** Where accepted shares are stored in the database, PPS credits with them. */
function shareStore(config: Config, db: Database, settings: PoolSettingsStore): ShareStore {
  const store = new ShareStore(db);
  if (config.pool.scheme !== 'pplns') {
    store.onBatch(perShareCredits(config.pool.scheme, feeBasisPoints(settings)));
  }
  return store;
}

/** Counts for the log line each minute. */
function poolStats(log: Logger): {
  accepted(share: CreditedShare): void;
  rejected(): void;
  report(miners: number): void;
} {
  let difficulty = 0;
  let accepted = 0;
  let rejected = 0;
  return {
    accepted(share) {
      accepted++;
      difficulty += share.difficulty;
    },
    rejected() {
      rejected++;
    },
    report(miners) {
      const hashrate = (difficulty * 2 ** 32) / (STATS_INTERVAL_MS / 1000);
      log.info(
        { miners, accepted, rejected, hashrate: `${(hashrate / 1e9).toFixed(3)} GH/s` },
        'pool: last minute',
      );
      difficulty = 0;
      accepted = 0;
      rejected = 0;
    },
  };
}

interface Storage {
  readonly db: Database;
  readonly url: string;
  readonly embedded: RunningDatabase | undefined;
}

function embeddedDatabaseDir(config: Config): string {
  return path.join(config.dataDir, 'postgres');
}

/** dataDir and what is in it, made the pool's alone before anything is written there. */
async function privateDataDir(config: Config, log: Logger): Promise<void> {
  try {
    const fixes = await makeDataDirPrivate(config.dataDir, [embeddedDatabaseDir(config)]);
    if (fixes.length > 0) {
      log.warn(
        { fixes },
        'dataDir: others could read or write these; made private (folders 0700, files 0600)',
      );
    }
  } catch (error) {
    log.fatal({ dataDir: config.dataDir }, `dataDir: cannot make it private: ${(error as Error).message}`);
    process.exit(1);
  }
}

/** The configured database, or the embedded one under dataDir; migrated either way. */
async function connectDatabase(config: Config, log: Logger): Promise<Storage> {
  let url = config.database.url;
  let embedded: RunningDatabase | undefined;
  if (url === undefined) {
    embedded = await startKeptDatabase(embeddedDatabaseDir(config), config.database.embeddedPort);
    url = embedded.url;
    log.warn(
      { port: embedded.port, dataDir: config.dataDir },
      'db: no database.url configured, running an embedded PostgreSQL',
    );
    if (embedded.foldersOpened.length > 0) {
      log.warn(
        { folders: embedded.foldersOpened },
        'db: running as root, so PostgreSQL runs as its own user; these folders were given search permission (o+x) for it to reach its binaries',
      );
    }
    if (embedded.passwordChanged) {
      log.warn(
        { passwordFile: embedded.passwordFile },
        'db: the embedded PostgreSQL took the former fixed password postgres/postgres; it now has a random one, kept in passwordFile',
      );
    }
  }
  const db = createDatabase(url, (error) => {
    // The message and code say it; the error object drags the whole client along.
    log.warn(
      { problem: error.message, code: (error as { code?: string }).code },
      'db: a pooled connection failed',
    );
  });
  const report = await migrate(db);
  log.info({ applied: report.applied, timescale: report.timescale }, 'db: migrated');
  return { db, url, embedded };
}

function shareRecord(found: CreditedShare): ShareRecord {
  const { identity, share } = found;
  return {
    timeMs: found.timeMs,
    account: identity.account,
    worker: identity.worker,
    payoutAddress: identity.payoutScript ? identity.account : null,
    difficulty: found.difficulty,
    achieved: share.difficulty,
    height: share.job.template.height,
    block: share.isBlock,
    solo: found.solo,
    networkDifficulty: difficultyFromBits(share.job.template.bits),
    subsidy: Number(share.job.template.coinbaseValue - share.job.template.fees),
    fees: Number(share.job.template.fees),
  };
}

export interface RunningPool {
  /** 0 without the stratum role (a writer or API process listens for no miner). */
  readonly stratumPort: number;
  readonly tlsPort: number | undefined;
  readonly soloPort: number | undefined;
  /** The HTTP API's port; undefined without the api role, in a Stratum process of several, or with api.enabled false. */
  readonly apiPort: number | undefined;
  /** The built-in devchain, when no node is configured. */
  readonly devnode: DevNode | undefined;
  /** The pool's database (what the demo farm is recorded in); a Stratum node sending to NATS has none. */
  readonly db: Database | undefined;
  /** Registers a named account paid at the pool's own address; its miners may connect at once. */
  registerAccount(name: string): Promise<void>;
  stop(): Promise<void>;
}

interface StratumRole extends RunningRole {
  registerAccount(name: string): Promise<void>;
  readonly port: number;
  readonly tlsPort: number | undefined;
  readonly soloPort: number | undefined;
}

/** What the Stratum role works with: the node, and where its shares and blocks go. */
interface StratumParts {
  readonly rpc: BitcoinRpcClient;
  readonly node: Node;
  /** Stores shares in the database when there is no NATS; records templates for the economics. */
  readonly db: Database | undefined;
  readonly books: Books | undefined;
  readonly bus: LedgerBus | undefined;
  /** Where the node's journals report their health: /api/health here, or the primary's. */
  readonly reportJournal: (state: JournalState) => void;
}

/**
 * Where a Stratum node's shares, found blocks and template facts go: straight to the
 * database, or to the writers through NATS.
 */
interface StratumOutlet {
  readonly sink: BatchSink;
  /** The most records in one batch. */
  readonly maxBatchShares: number;
  /** `afterBatch`: the batch with the block's share, stored before the block is. */
  block(outcome: BlockOutcome, afterBatch: string | undefined): Promise<void>;
  network(facts: NetworkFacts): Promise<void>;
  /** With NATS: journalled blocks are sent again, for the stream may not have taken them. */
  readonly resendsBlocks: boolean;
}

function stratumOutlet(config: Config, parts: StratumParts): StratumOutlet {
  const { bus, db, books } = parts;
  if (bus) {
    const publisher = new LedgerPublisher(bus, config.stratum.nodeId);
    return {
      sink: publisher,
      // A batch through NATS is one message, which must stay under the server's max_payload.
      maxBatchShares: Math.min(config.ledger.maxBatchShares, SHARES_PER_MESSAGE),
      block: (outcome, afterBatch) => publisher.block(outcome, afterBatch),
      network: (facts) => publisher.network(facts),
      resendsBlocks: true,
    };
  }
  if (db && books) {
    return {
      sink: shareStore(config, db, books.settings),
      maxBatchShares: config.ledger.maxBatchShares,
      block: (outcome) => books.ledger.record(outcome),
      network: (facts) => recordTemplate(db, facts),
      resendsBlocks: false,
    };
  }
  throw new Error('a Stratum node needs nats.url or the database for its shares');
}

/**
 * The Stratum role: miners, jobs from the node's templates, share validation, found
 * blocks submitted at once. Accepted shares go to the database, or to the writers
 * through NATS; either way through the node's journal first.
 */
async function startStratum(config: Config, parts: StratumParts, log: Logger): Promise<StratumRole> {
  const { rpc, node } = parts;
  const extranonces = new ExtranonceAllocator(config.stratum.nodeId);
  // The server comes later; a move before it only changes where new extranonce1s come from.
  const serving: { server?: StratumServer } = {};
  const claim = parts.bus
    ? await claimNode(config, parts.bus, log, {
        moveTo(nodeId) {
          if (serving.server) {
            serving.server.moveToNode(nodeId);
          } else {
            extranonces.moveTo(nodeId);
          }
        },
        stop() {
          void serving.server?.stop();
        },
      })
    : undefined;
  const outlet = stratumOutlet(config, parts);
  const journalHealth = (journal: JournalState['journal'], onChange: DiskHealthListener) => {
    const report = (health: DiskHealth): void => {
      parts.reportJournal({ journal, nodeId: config.stratum.nodeId, ...health });
    };
    return {
      report,
      onHealthChange: (health: DiskHealth, error: Error | undefined): void => {
        onChange(health, error);
        report(health);
      },
    };
  };
  const sharesHealth = journalHealth('shares', (health, error) => {
    if (health.writable) {
      log.warn('ledger: the share journal can be written again; shares are taken again');
    } else {
      log.error(
        { err: error, problem: health.problem },
        'ledger: the share journal cannot be written; valid shares are refused (Stratum error 20) until it can',
      );
    }
  });
  const blocksHealth = journalHealth('blocks', (health, error) => {
    if (health.writable) {
      log.warn('chain: the block journal can be written again');
    } else {
      log.error(
        { err: error, problem: health.problem },
        'chain: the block journal cannot be written; found blocks go on to the books and wait in memory for the disk',
      );
    }
  });
  const shareJournal = new ShareJournal({
    directory: path.join(config.dataDir, 'journal', `node-${String(config.stratum.nodeId)}`),
    fsync: config.ledger.fsync,
    fsyncIntervalMs: config.ledger.fsyncIntervalMs,
    onFlushError(error) {
      log.error({ err: error }, 'ledger: the share journal could not be flushed to disk');
    },
    onHealthChange: sharesHealth.onHealthChange,
    probeIntervalMs: config.ledger.retryIntervalMs,
  });
  sharesHealth.report(shareJournal.health);
  const blockJournal = new BlockJournal(path.join(config.dataDir, 'blocks.jsonl'), {
    retryIntervalMs: config.ledger.retryIntervalMs,
    onHealthChange: blocksHealth.onHealthChange,
  });
  blocksHealth.report(blockJournal.health);
  const writer = new ShareWriter(
    outlet.sink,
    shareJournal,
    {
      nodeId: config.stratum.nodeId,
      flushIntervalMs: config.ledger.flushIntervalMs,
      maxBatchShares: outlet.maxBatchShares,
      degradedFlushIntervalMs: Math.max(config.ledger.flushIntervalMs, 5_000),
      retryIntervalMs: config.ledger.retryIntervalMs,
    },
    log,
  );
  await writer.start();
  const payoutAddress = await poolPayoutAddress(config, rpc);
  const info = await checkNode(rpc, { chain: config.chain, payoutAddress });
  log.info({ chain: info.chain, height: info.blocks, node: rpc.endpoint }, 'chain: node checked');
  const poolScript = payoutScript(payoutAddress, config.chain);
  if (!poolScript.ok) {
    throw new Error(poolScript.message);
  }
  const { stratum, pool } = config;
  const feed = new JobFeed({
    poolTag: Buffer.from(pool.tag),
    extranonce2Size: stratum.extranonce2Size,
    poolScript: poolScript.script,
    soloFeeBasisPoints: Math.round(pool.soloFeePercent * 100),
  });
  const relay = new BlockRelay({
    journal: blockJournal,
    writer,
    hand: (outcome, afterBatch) => outlet.block(outcome, afterBatch),
  });
  const submitter = new BlockSubmitter(rpc, relay, log, {
    pending: new PendingBlocks(
      path.join(config.dataDir, 'blocks-pending', `node-${String(config.stratum.nodeId)}`),
    ),
    otherNodes: submitNodes(config),
  });
  const resend = outlet.resendsBlocks
    ? new Schedule(
        [{ name: RESEND_BLOCKS, intervalMs: BLOCK_RESEND_MS, run: () => relay.resendJournalled() }],
        log,
      )
    : undefined;
  const stats = poolStats(log);
  const accounts = new RegisteredAccountList();
  const { db } = parts;
  const accountRefresh = db
    ? new Schedule(
        [{ name: 'registered accounts', intervalMs: ACCOUNTS_REFRESH_MS, run: () => accounts.refresh(db) }],
        log,
      )
    : undefined;
  await accountRefresh?.runNow('registered accounts');
  const events: StratumEvents = {
    blockFound(found: CreditedShare) {
      const { share } = found;
      const blockHex = assembleBlock(
        share.job,
        found.extranonce1,
        Buffer.from(share.extranonce2, 'hex'),
        share.header,
      ).toString('hex');
      void submitter.submit(
        {
          height: share.job.template.height,
          hash: Buffer.from(share.hash).reverse().toString('hex'),
          reward: share.job.template.coinbaseValue,
          fees: share.job.template.fees,
          networkDifficulty: difficultyFromBits(share.job.template.bits),
          finder: { account: found.identity.account, worker: found.identity.worker },
          solo: found.solo,
          foundAtMs: found.timeMs,
        },
        blockHex,
      );
    },
    shareAccepted(found: CreditedShare) {
      stats.accepted(found);
      writer.addShare(shareRecord(found));
    },
    shareRejected(reject: RejectedSubmit) {
      stats.rejected();
      if (reject.identity) {
        writer.addReject({
          timeMs: reject.timeMs,
          account: reject.identity.account,
          worker: reject.identity.worker,
          stale: reject.reason === 'stale',
        });
      }
    },
    commitShares() {
      return writer.commit();
    },
    problem(message, error) {
      log.error({ err: error }, message);
    },
  };
  const server = new StratumServer(
    {
      settings: {
        extranonce2Size: stratum.extranonce2Size,
        versionMask: Number.parseInt(stratum.versionMask, 16),
        vardiff: {
          targetShareSeconds: stratum.targetShareSeconds,
          retargetSeconds: stratum.vardiffRetargetSeconds,
          retargetShares: 24,
          minDifficulty: stratum.minDifficulty,
          maxDifficulty: stratum.maxDifficulty,
          startDifficulty: stratum.startDifficulty,
        },
        maxWorkersPerConnection: stratum.maxWorkersPerConnection,
        maxRequestsBeforeAuthorize: 16,
        soloByDefault: pool.payoutMode === 'solo',
      },
      extranonces,
      feed,
      hasher: createShareHasher(),
      authorizer: createAddressAuthorizer(config.chain, accounts),
      events,
    },
    {
      host: stratum.host,
      port: stratum.port,
      tls:
        stratum.tlsPort !== undefined && stratum.tlsCertFile !== undefined && stratum.tlsKeyFile !== undefined
          ? {
              port: stratum.tlsPort,
              cert: readFileSync(stratum.tlsCertFile),
              key: readFileSync(stratum.tlsKeyFile),
            }
          : undefined,
      soloPort: stratum.soloPort,
      proxyProtocol:
        stratum.proxyProtocolFrom.length > 0 ? { trustedAddresses: stratum.proxyProtocolFrom } : undefined,
      maxConnections: stratum.maxConnections,
      maxConnectionsPerAddress: stratum.maxConnectionsPerAddress,
      bans: {
        threshold: stratum.banThreshold,
        banSeconds: stratum.banSeconds,
        decaySeconds: stratum.banSeconds,
      },
      connection: {
        maxLineBytes: stratum.maxLineBytes,
        idleTimeoutMs: stratum.idleTimeoutSeconds * 1000,
        lineTimeoutMs: stratum.lineTimeoutSeconds * 1000,
        drainTimeoutMs: stratum.drainTimeoutSeconds * 1000,
        maxQueuedBytes: 1024 * 1024,
      },
      tickMs: 5_000,
      // With fsync always each commit waits for the disk: one a turn.
      groupCommitMs: config.ledger.fsync === 'always' ? Number.POSITIVE_INFINITY : GROUP_COMMIT_MS,
    },
    log,
  );
  // A forked Stratum process takes its host's templates from the primary: one longpoll a host.
  const templates: TemplateFeed = cluster.isWorker
    ? new RelayedTemplateSource(primaryChannel(), (error) => {
        log.error({ err: error }, 'work: a relayed template could not be used; miners keep the current job');
      })
    : nodeTemplates(config, rpc, node, log);
  templates.onTemplate((template, newBlock) => {
    // Hashprice reads the network's difficulty and fees from what the templates showed.
    const facts = {
      height: template.height,
      difficulty: difficultyFromBits(template.bits),
      feesSats: Number(template.fees),
      atMs: Date.now(),
    };
    outlet.network(facts).catch((error: unknown) => {
      log.warn(
        { problem: (error as Error).message, height: template.height },
        'economics: template not recorded',
      );
    });
    try {
      feed.setTemplate(template);
      server.broadcastJob();
    } catch (error) {
      log.error(
        { err: error, height: template.height, newBlock },
        'work: no job fits this template; miners keep the previous one',
      );
    }
  });
  await templates.start();
  serving.server = server;
  const { port, tlsPort, soloPort } = await server.listen();
  log.info(
    {
      stratum: `stratum+tcp://${stratum.host}:${String(port)}`,
      tls: tlsPort,
      solo: soloPort,
      hasher: createShareHasher().engine,
      payout: payoutAddress,
      mode: pool.payoutMode,
      username: `<${config.chain} address or registered account>.<worker>`,
    },
    'pool: ready for miners',
  );
  const statsTimer = setInterval(() => {
    stats.report(server.connectionCount);
  }, STATS_INTERVAL_MS);
  statsTimer.unref();
  resend?.start();
  accountRefresh?.start();
  // Blocks an earlier run found and could not settle are offered again.
  submitter.resume().catch((error: unknown) => {
    log.error({ err: error }, 'chain: the blocks an earlier run left unsettled could not be read');
  });
  return {
    port,
    tlsPort,
    soloPort,
    async registerAccount(name) {
      if (!db) {
        throw new Error('registering an account needs the database');
      }
      await registerAccount(db, name, payoutAddress);
      await accounts.refresh(db);
    },
    async stop() {
      clearInterval(statsTimer);
      await accountRefresh?.stop();
      templates.stop();
      await server.stop();
      await submitter.stop();
      await writer.close();
      // A last try for blocks NATS has not acknowledged; what still fails waits in the journal.
      await resend?.runNow(RESEND_BLOCKS);
      await resend?.stop();
      await claim?.release();
    },
  };
}

/** What has started, stopped last first: by the pool's stop(), or when a later part cannot start. */
class StartedParts {
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

/**
 * What a process needs before its Stratum side, in order, each part's stop on `started`:
 * NATS, the database, the node, then the API and the writer of `roles`.
 */
async function startSharedParts(
  config: Config,
  roles: ReadonlySet<string>,
  started: StartedParts,
  journals: JournalStates,
  log: Logger,
): Promise<{
  readonly bus: LedgerBus | undefined;
  readonly storage: Storage | undefined;
  readonly node: Node;
  readonly rpc: BitcoinRpcClient;
  readonly books: Books | undefined;
  readonly apiPort: number | undefined;
}> {
  const bus = ledgerBus(config, roles, log);
  started.push(async () => bus?.close());
  // A Stratum node that sends its shares through NATS keeps no database.
  const storage =
    roles.has('writer') || roles.has('api') || bus === undefined
      ? await connectDatabase(config, log)
      : undefined;
  started.push(async () => {
    await storage?.db.end();
    await storage?.embedded?.stop();
  });
  const node = await connectNode(config, log);
  started.push(async () => node.devnode?.stop());
  const rpc = rpcClient(config, node);
  started.push(() => {
    rpc.close();
    return Promise.resolve();
  });
  const books = storage ? booksOf(config, storage.db, log) : undefined;
  const api =
    roles.has('api') && storage && books
      ? await startApiRole(config, storage.db, rpc, books.settings, journals, log)
      : undefined;
  started.push(async () => api?.stop());
  const writer =
    roles.has('writer') && storage && books
      ? await startWriter(config, storage.db, rpc, books, bus, log)
      : undefined;
  started.push(async () => writer?.stop());
  return { bus, storage, node, rpc, books, apiPort: api?.port };
}

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
    // A forked Stratum process's journals are reported on its primary's /api/health.
    const reportJournal = cluster.isWorker
      ? (state: JournalState): void => {
          process.send?.({ kind: 'journal', journal: state } satisfies WorkerMessage);
        }
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
 * With NATS, a Stratum node claims its node id before serving, and a start whose id
 * another node holds fails. NATS not reached within CLAIM_WAIT_MS, the node serves at
 * once (its shares wait in the journal) and claims the id when NATS answers. An id
 * taken from the node while it runs (it could not renew its claim, and a node
 * configured with the same id took it) makes it claim a free id and move its sessions
 * there (`moveTo`); with no id free, it stops serving (`stop`).
 */
async function claimNode(
  config: Config,
  bus: LedgerBus,
  log: Logger,
  hooks: { moveTo(nodeId: number): void; stop(): void },
): Promise<{ release(): Promise<void> }> {
  let held: NodeClaim | undefined;
  const settings = {
    bucket: `${config.nats.stream}_NODES`,
    nodeId: config.stratum.nodeId,
    instance: nodeInstance(config.dataDir),
    ttlMs: config.nats.nodeLeaseSeconds * 1000,
  };
  const relocate = (taken: Error): void => {
    log.error({ problem: taken.message }, 'stratum: this node lost its node id; moving to a free one');
    bus
      .ready()
      .then((nc) => claimFreeNodeId(nc, { ...settings, nodeId: held?.nodeId ?? settings.nodeId }, relocate))
      .then(
        (claim) => {
          held = claim;
          hooks.moveTo(claim.nodeId);
        },
        (error: unknown) => {
          log.fatal(
            { problem: (error as Error).message },
            'stratum: no node id to move to; the node stops serving',
          );
          hooks.stop();
        },
      );
  };
  const claiming = bus
    .ready()
    .then((nc) => claimNodeId(nc, settings, relocate))
    .then((claim) => {
      held = claim;
      log.info({ nodeId: claim.nodeId }, 'stratum: node id claimed');
    });
  const first = await Promise.race([claiming, sleep(CLAIM_WAIT_MS, 'waiting' as const, { ref: false })]);
  if (first === 'waiting') {
    log.warn(
      { nats: config.nats.url },
      'nats: not reached yet; serving miners, the node id is claimed when it answers',
    );
    claiming.catch((error: unknown) => {
      if (error instanceof NodeIdTaken) {
        relocate(error);
      } else {
        // The bus closed first (a stop), or the bucket is out of reach: the node keeps serving.
        log.error({ problem: (error as Error).message }, 'stratum: the node id could not be claimed');
      }
    });
  }
  return {
    async release() {
      await held?.release();
    },
  };
}

/** The health of the journals of this process's Stratum nodes, or of its forked ones: what /api/health lists. */
class JournalStates {
  readonly #states = new Map<string, JournalState>();

  set(state: JournalState): void {
    this.#states.set(`${state.journal} ${String(state.nodeId)}`, state);
  }

  /** A Stratum process is gone: its journals are reported again by the one started in its place. */
  forget(nodeId: number): void {
    for (const [key, state] of this.#states) {
      if (state.nodeId === nodeId) {
        this.#states.delete(key);
      }
    }
  }

  list(): JournalState[] {
    return [...this.#states.values()].sort(
      (a, b) => a.nodeId - b.nodeId || a.journal.localeCompare(b.journal),
    );
  }
}

/** The books of a process with the database: found blocks, their journal, runtime settings. */
function booksOf(config: Config, db: Database, log: Logger): Books {
  const settings = runtimeSettings(config, db);
  return {
    settings,
    ledger: new BlockLedger(db, ledgerSettings(config, settings), log),
    journal: new BlockJournal(path.join(config.dataDir, 'blocks.jsonl')),
  };
}

interface WorkerMessage {
  readonly kind: 'ready' | 'stop' | 'journal';
  /** kind journal: a journal of the process changed health (or starts out). */
  readonly journal?: JournalState;
  readonly port?: number;
  readonly tlsPort?: number | undefined;
  readonly soloPort?: number | undefined;
}

/** The file this module runs from, and how Node must be started to run it (tsx for .ts sources). */
function workerExec(): { exec: string; execArgv: string[] } {
  const exec = fileURLToPath(import.meta.url);
  return { exec, execArgv: exec.endsWith('.ts') ? ['--import', 'tsx'] : [] };
}

/**
 * stratum.processes > 1: this process keeps the node (or the devchain), the writer and
 * the API, and forks Stratum processes that share the port, each a whole pool with its
 * own node id, so their extranonce1 ranges never meet. A process that dies once ready is
 * started again; one that exits before it is ready fails the start, and what had
 * started is stopped.
 */
export async function runCluster(config: Config, log: Logger): Promise<RunningPool> {
  const started = new StartedParts();
  const journals = new JournalStates();
  return started.unwindingOnFailure(async () => {
    // Migrated once here; Stratum processes without NATS share the database (the embedded one runs here).
    const { storage, node, rpc, apiPort } = await startSharedParts(
      config,
      new Set(config.roles),
      started,
      journals,
      log,
    );
    // The Stratum processes share this data directory's instance id (their node id claims); made once, here.
    nodeInstance(config.dataDir);
    const templates = nodeTemplates(config, rpc, node, log);
    const relay = new TemplateRelay(templates);
    await templates.start();
    started.push(() => {
      templates.stop();
      return Promise.resolve();
    });
    const processes = new StratumProcesses(relay, journals, log);
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
    return {
      stratumPort: ports.port,
      tlsPort: ports.tlsPort,
      soloPort: ports.soloPort,
      apiPort,
      devnode: node.devnode,
      db: storage?.db,
      // Each Stratum process reads the accounts itself: one registered here is seen within ACCOUNTS_REFRESH_MS.
      registerAccount: () =>
        Promise.reject(new Error('register accounts in the database with several Stratum processes')),
      stop: () => started.stopAll(),
    };
  });
}

/** The forked Stratum processes of runCluster, each sent its templates by `relay`. */
class StratumProcesses {
  readonly #relay: TemplateRelay;
  readonly #journals: JournalStates;
  readonly #log: Logger;
  readonly #workers = new Map<number, { readonly worker: Worker; ready: boolean }>();
  #stopping = false;

  constructor(relay: TemplateRelay, journals: JournalStates, log: Logger) {
    this.#relay = relay;
    this.#journals = journals;
    this.#log = log;
  }

  /**
   * Forks `count` processes, node ids from `firstNodeId` on, with `environment`;
   * resolves with the first one's ports once all are ready.
   */
  async start(
    count: number,
    firstNodeId: number,
    environment: Record<string, string>,
  ): Promise<{ port: number; tlsPort: number | undefined; soloPort: number | undefined }> {
    cluster.setupPrimary({ ...workerExec(), args: process.argv.slice(2) });
    const ready = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        this.#fork(index, { ...environment, HASHWATT_STRATUM_NODE_ID: String(firstNodeId + index) }),
      ),
    );
    const [first] = ready;
    return { port: first?.port ?? 0, tlsPort: first?.tlsPort, soloPort: first?.soloPort };
  }

  #fork(index: number, environment: Record<string, string>): Promise<WorkerMessage> {
    return new Promise((resolve, reject) => {
      const worker = cluster.fork(environment);
      // Its channel failing (a message to a process that is going) is reported; its exit restarts it.
      worker.on('error', (error) => {
        this.#log.warn({ index, problem: error.message }, 'pool: a Stratum process could not be reached');
      });
      const forked = { worker, ready: false };
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
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') {
          forked.ready = true;
          resolve(message);
        } else if (message.kind === 'journal' && message.journal) {
          this.#journals.set(message.journal);
        }
      });
      worker.once('exit', (code, signal) => {
        unserve();
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

/** Starts the pool as the configuration asks: one process, or several sharing the Stratum port. */
export function start(config: Config, log: Logger): Promise<RunningPool> {
  return cluster.isPrimary && config.stratum.processes > 1 ? runCluster(config, log) : run(config, log);
}

/** The dashboard's build: the configured one, or this checkout's when it was built. */
function dashboardDirectory(config: Config, log: Logger): string | undefined {
  if (config.api.dashboardDir !== undefined) {
    return config.api.dashboardDir;
  }
  const built = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard/dist');
  if (existsSync(path.join(built, 'index.html'))) {
    return built;
  }
  log.warn('api: the dashboard is not built (pnpm --filter @hashwatt/dashboard build); serving the API only');
  return undefined;
}

/** `main.ts migrate`: brings the database's schema up to date, and nothing else. */
async function migrateOnly(config: Config, log: Logger): Promise<void> {
  try {
    const storage = await connectDatabase(config, log);
    await storage.db.end();
    await storage.embedded?.stop();
  } catch (error) {
    log.fatal(
      { err: error },
      `db: migration failed: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }
}

/**
 * `main.ts user add --email … --role … [--organisation id] [--country CC --region CC-R …]`,
 * the password on standard input: adds a user (the first admin, typically) and exits.
 */
async function addUser(args: readonly string[], config: Config, log: Logger): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  const input = userFromCommand(args, Buffer.concat(chunks).toString('utf8'));
  if ('problems' in input) {
    process.stderr.write(`user add: ${input.problems.join('; ')}\n`);
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    const user = await createUser(storage.db, input.user);
    process.stdout.write(`${JSON.stringify(user)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`user add: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await storage.db.end();
    await storage.embedded?.stop();
  }
}

/**
 * `main.ts report verify FILE [--server URL] [--public-key K] [--signature S]`: exit 0
 * when the pool issued the file and its signature holds, 1 when not, 2 when it cannot tell.
 */
async function verifyReport(args: readonly string[], config: Config): Promise<number> {
  const parsed = checkArguments(args, `http://${config.api.host}:${String(config.api.port)}`);
  if (typeof parsed === 'string') {
    process.stderr.write(`report verify: ${parsed}\n`);
    return 2;
  }
  try {
    const result = await checkReportFile(parsed.file, parsed.options);
    process.stdout.write(`${result.message}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`report verify: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

/** `main.ts config check`: the configuration is loaded already; says what it will run. */
function describeConfig(config: Config): string {
  return [
    'configuration OK',
    `  chain ${config.chain}; node ${config.node.rpcUrl ?? 'devchain (embedded)'}`,
    `  database ${config.database.url === undefined ? `embedded, ${config.dataDir}/postgres` : 'configured (database.url)'}`,
    `  roles ${config.roles.join(', ')}; shares ${config.nats.url === undefined ? 'stored directly' : `through NATS ${config.nats.url}, stream ${config.nats.stream}`}`,
    `  stratum ${config.stratum.host}:${String(config.stratum.port)}; api ${config.api.enabled ? `${config.api.host}:${String(config.api.port)}` : 'off'}`,
    '',
  ].join('\n');
}

/** `main.ts account register --name NAME --address ADDRESS`: a named account miners may mine as. */
async function registerAccountCommand(args: readonly string[], config: Config, log: Logger): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { name: { type: 'string' }, address: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  const { name = '', address = '' } = values;
  if (!isAccountName(name)) {
    process.stderr.write('account register: --name takes 1 to 64 letters, digits and hyphens\n');
    return 2;
  }
  const payout = minerPayoutScript(address, config.chain);
  if (!payout.ok) {
    process.stderr.write(`account register: ${payout.message}\n`);
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    await registerAccount(storage.db, name, address);
    process.stdout.write(`${name} registered, paid at ${address}: miners connect as ${name}.<worker>\n`);
    return 0;
  } finally {
    await storage.db.end();
    await storage.embedded?.stop();
  }
}

/** `main.ts apikey create --farm ID --label TEXT`: a farm agent's key, printed once. */
async function createAgentKey(args: readonly string[], config: Config, log: Logger): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { farm: { type: 'string' }, label: { type: 'string' }, config: { type: 'string' } },
    strict: true,
  });
  if (
    values.farm === undefined ||
    !/^[1-9][0-9]{0,17}$/.test(values.farm) ||
    values.label === undefined ||
    values.label === ''
  ) {
    process.stderr.write('apikey create: --farm takes a farm id and --label a name for the key\n');
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    await getFarm(storage.db, values.farm);
    const created = await createApiKey(storage.db, values.farm, values.label);
    process.stdout.write(`${created.key}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(
      `apikey create: ${error instanceof Error ? error.message : String(error)} (farm ${values.farm})\n`,
    );
    return 1;
  } finally {
    await storage.db.end();
    await storage.embedded?.stop();
  }
}

function signingKeyFile(config: Config): string {
  return config.reports.signingKeyFile ?? path.join(config.dataDir, 'report-signing-key.pem');
}

/**
 * `main.ts report key show | rotate`: the registry's current key; or a new key file
 * (the old one kept beside it), the old key retired and the new one registered.
 */
async function reportKey(action: 'show' | 'rotate', config: Config, log: Logger): Promise<number> {
  const storage = await connectDatabase(config, log);
  try {
    if (action === 'rotate') {
      const file = signingKeyFile(config);
      const rotation = await rotateSigningKey(storage.db, file, Date.now());
      process.stdout.write(
        [
          `new report signing key ${rotation.current.fingerprint} in ${file}`,
          rotation.retired === undefined
            ? 'no key was registered before'
            : `retired key ${rotation.retired.fingerprint} (valid ${rotation.retired.validFrom.toISOString()} – ${rotation.retired.validUntil?.toISOString() ?? ''}); its reports still verify`,
          ...(rotation.keptAs === undefined ? [] : [`the old key file is kept as ${rotation.keptAs}`]),
          'restart the pool to sign with the new key',
          '',
        ].join('\n'),
      );
      return 0;
    }
    const current = currentKey(await registeredKeys(storage.db));
    if (current === undefined) {
      process.stderr.write('report key show: no key registered yet; the pool registers one when it starts\n');
      return 1;
    }
    process.stdout.write(
      `fingerprint ${current.fingerprint}\npublic key ${current.publicKey.toString('base64')}\nvalid from ${current.validFrom.toISOString()}\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`report key ${action}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await storage.db.end();
    await storage.embedded?.stop();
  }
}

/** `main.ts report generate …`: issues a report as the API would, and writes its file. */
async function generateReport(args: readonly string[], config: Config, log: Logger): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      farm: { type: 'string' },
      country: { type: 'string' },
      region: { type: 'string', multiple: true },
      month: { type: 'string' },
      calendar: { type: 'string' },
      language: { type: 'string' },
      format: { type: 'string' },
      as: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const problems = [
    ...((values.farm === undefined) === (values.country === undefined)
      ? ['give --farm ID or --country CC']
      : []),
    ...(['en', 'fa', 'ru'].includes(values.language ?? '') ? [] : ['--language is en, fa or ru']),
    ...(['pdf', 'csv', 'json'].includes(values.format ?? '') ? [] : ['--format is pdf, csv or json']),
    ...(values.calendar === undefined || ['gregorian', 'persian'].includes(values.calendar)
      ? []
      : ['--calendar is gregorian or persian']),
    ...(values.month === undefined || /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(values.month)
      ? []
      : ['--month is YYYY-MM']),
    ...(values.as === undefined ? ['--as names the user it is issued for'] : []),
    ...(values.out === undefined ? ['--out names the file to write'] : []),
  ];
  if (problems.length > 0) {
    process.stderr.write(`report generate: ${problems.join('; ')}\n`);
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    const { rows } = await storage.db.query<{ id: string }>(
      'SELECT id::text FROM users WHERE lower(email) = lower($1)',
      [values.as],
    );
    const issuedBy = rows[0]?.id;
    if (issuedBy === undefined) {
      process.stderr.write(`report generate: no user ${String(values.as)}\n`);
      return 2;
    }
    const nowMs = Date.now();
    // Standard output is the report's JSON: what start-up would log goes to standard error.
    const note = (fields: object, message: string): void => {
      process.stderr.write(`report generate: ${message} ${JSON.stringify(fields)}\n`);
    };
    const signer = await openSigningKey(
      storage.db,
      signingKeyFile(config),
      { warn: note, info: note },
      nowMs,
    );
    const report = await issueReport(
      storage.db,
      signer,
      {
        scope:
          values.farm === undefined
            ? { kind: 'jurisdiction', country: values.country ?? '', regions: values.region ?? [] }
            : { kind: 'farm', farmId: values.farm },
        period: { month: values.month, calendar: values.calendar as ReportCalendar | undefined },
        language: values.language as ReportLanguage,
        format: values.format as ReportFormat,
        issuedBy,
      },
      nowMs,
    );
    const { content } = await reportFile(storage.db, { kind: 'all' }, report.id);
    writeFileSync(values.out ?? '', content);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`report generate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    await storage.db.end();
    await storage.embedded?.stop();
  }
}

/**
 * The demo farm, when the configuration asks for it (by default: with the devchain and
 * the embedded database, which is to say `pnpm start` with no configuration), and what
 * to open: the addresses and the demo's sign-ins, on standard output.
 */
async function startDemo(config: Config, pool: RunningPool, log: Logger): Promise<DemoFarm | undefined> {
  const wanted =
    config.demo.enabled === 'on' ||
    (config.demo.enabled === 'auto' && config.node.rpcUrl === undefined && config.database.url === undefined);
  const apiHost = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
  const apiUrl = pool.apiPort === undefined ? undefined : `http://${apiHost}:${String(pool.apiPort)}`;
  const lines = [
    '',
    'hashwatt is running',
    `  roles              ${config.roles.join(', ')}${config.nats.url === undefined ? '' : `; ledger through NATS ${config.nats.url}`}`,
    `  dashboard and API  ${apiUrl === undefined ? 'off (no api role, or api.enabled is false)' : `${apiUrl}/   (API docs: ${apiUrl}/api/docs)`}`,
    `  Stratum            ${pool.stratumPort === 0 ? 'off (no stratum role)' : `stratum+tcp://<this machine>:${String(pool.stratumPort)}   username <${config.chain} address or registered account>.<worker>`}`,
  ];
  let demo: DemoFarm | undefined;
  // The demo needs the whole pool in this process: miners, the database, the API.
  if (wanted && apiUrl !== undefined && pool.db !== undefined && pool.stratumPort !== 0) {
    try {
      const { DEMO_ACCOUNT, startDemoFarm } = await import('./dev/demo/demo-farm.ts');
      await pool.registerAccount(DEMO_ACCOUNT);
      demo = await startDemoFarm(
        pool.db,
        {
          apiUrl,
          stratumPort: pool.stratumPort,
          stratumUrl: `stratum+tcp://127.0.0.1:${String(pool.stratumPort)}`,
        },
        {
          rigs: config.demo.rigs,
          hashesPerSecond: config.demo.hashesPerSecond,
          shareDifficulty: config.demo.shareDifficulty,
          dataDir: config.dataDir,
        },
        log,
      );
      lines.push(
        `  demo farm          ${String(config.demo.rigs)} CPU miners behind emulated Antminers, an emulated meter, the farm agent`,
        `  demo operator      ${demo.operator.email}   password ${demo.operator.password}`,
        // Regulators must sign in with a second factor: the dashboard sets it up at the first sign-in.
        `  demo regulator     ${demo.regulator.email}   password ${demo.regulator.password}   (sets up two-factor sign-in with an authenticator app at the first sign-in)`,
      );
    } catch (error) {
      log.error({ err: error }, 'demo: the demo farm did not start; the pool runs without it');
    }
  }
  process.stdout.write(`${[...lines, '  Ctrl-C stops it.', ''].join('\n')}\n`);
  return demo;
}

/** The `hashwatt` command line: bin/hashwatt.js calls it, as does running this file. */
export async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(overview());
    process.exit(0);
  }
  const { command, name, rest } = commandOf(argv);
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${overview()}`);
    process.exit(2);
  }
  if (name === 'agent') {
    // The agent reads its own configuration and prints its own help.
    const agent = await import('@hashwatt/agent');
    process.exit(await agent.main(rest, process.env));
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(helpOf(command));
    process.exit(0);
  }
  let config: Config;
  try {
    const fileFlag = rest.indexOf('--config');
    config = loadConfig(process.env, fileFlag === -1 ? undefined : rest[fileFlag + 1]);
  } catch (error) {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  }
  if (name === 'config check') {
    process.stdout.write(describeConfig(config));
    process.exit(0);
  }
  const log = pino(
    {
      level: config.logLevel,
      base: { service: 'hashwatt', ...(cluster.isWorker && { nodeId: config.stratum.nodeId }) },
    },
    // The pool and migrate only log; the other commands' stdout is their answer (a key, a
    // report, a fingerprint), so their log goes to stderr.
    pino.destination(name === 'pool' || name === 'migrate' ? 1 : 2),
  );
  // The last resort: every socket, stream and connection handles its own errors; one that
  // does not is a bug, reported as such rather than as a bare stack trace.
  const lastResort = (kind: string) => (error: unknown) => {
    log.fatal({ err: error }, `process: ${kind} nobody handled (a bug); exiting`);
    process.exit(1);
  };
  process.on('uncaughtException', lastResort('an error'));
  process.on('unhandledRejection', lastResort('a rejected promise'));
  if (cluster.isWorker) {
    // A message to a primary that is gone fails as an 'error' on process; 'disconnect' stops this one.
    process.on('error', (error: Error) => {
      log.warn({ problem: error.message }, 'pool: the primary process cannot be reached');
    });
  }
  if (name !== 'report verify') {
    await privateDataDir(config, log);
  }
  if (name === 'migrate') {
    await migrateOnly(config, log);
    return;
  }
  // The one-shot commands exit with their status; exiting also ends what the pool's modules left open.
  if (name === 'report verify') {
    process.exit(await verifyReport(rest, config));
  }
  if (name === 'report generate') {
    process.exit(await generateReport(rest, config, log));
  }
  if (name === 'report key show' || name === 'report key rotate') {
    process.exit(await reportKey(name === 'report key show' ? 'show' : 'rotate', config, log));
  }
  if (name === 'account register') {
    process.exit(await registerAccountCommand(rest, config, log));
  }
  if (name === 'apikey create') {
    process.exit(await createAgentKey(rest, config, log));
  }
  if (name === 'user add') {
    process.exit(await addUser(rest, config, log));
  }
  // A signal during start-up is heard too: the stop waits for the start, then runs.
  let requested: string | undefined;
  let shutdown = (signal: string): void => {
    requested ??= signal;
  };
  if (!cluster.isWorker) {
    process.on('SIGINT', () => {
      shutdown('SIGINT');
    });
    process.on('SIGTERM', () => {
      shutdown('SIGTERM');
    });
  }
  let pool: RunningPool;
  try {
    pool = await start(config, log);
  } catch (error) {
    log.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
    process.exit(1);
  }
  if (cluster.isWorker) {
    // A Stratum process stops when the primary says so, or when the primary is gone.
    process.send?.({
      kind: 'ready',
      port: pool.stratumPort,
      tlsPort: pool.tlsPort,
      soloPort: pool.soloPort,
    } satisfies WorkerMessage);
    const stop = (): void => {
      void pool.stop().then(() => process.exit(0));
    };
    process.on('message', (message: WorkerMessage) => {
      if (message.kind === 'stop') {
        stop();
      }
    });
    process.on('disconnect', stop);
    // Ctrl-C reaches every process of the group: the primary coordinates the stop.
    process.on('SIGINT', () => undefined);
    process.on('SIGTERM', () => undefined);
    return;
  }
  const demo = requested === undefined ? await startDemo(config, pool, log) : undefined;
  let stopping = false;
  shutdown = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, 'pool: stopping; miners are asked to reconnect');
    setTimeout(() => {
      log.error(
        { seconds: config.stopTimeoutSeconds },
        'pool: not stopped within stopTimeoutSeconds; exiting anyway',
      );
      process.exit(1);
    }, config.stopTimeoutSeconds * 1000).unref();
    (demo?.stop() ?? Promise.resolve())
      .then(() => pool.stop())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'pool: unclean stop');
          process.exit(1);
        },
      );
  };
  if (requested !== undefined) {
    shutdown(requested);
  }
}

// Run when started as a program (or forked as a Stratum process); tests import start() instead.
if (
  cluster.isWorker ||
  (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
) {
  await main();
}
