/**
 * The Stratum role: miners, jobs from the node's templates, share validation, found
 * blocks submitted at once. Accepted shares go to the database, or to the writers
 * through NATS; either way through the node's journal first.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { JournalState } from '../api/pool-facts.ts';
import { BlockSubmitter, type BlockRecorder } from '../chain/block-submitter.ts';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import { checkNode } from '../chain/startup-checks.ts';
import type { TemplateFeed } from '../chain/template-source.ts';
import type { Config } from '../config.ts';
import { BlockJournal } from '../ledger/blocks/block-journal.ts';
import { BlockRelay } from '../ledger/blocks/block-relay.ts';
import { PendingBlocks } from '../ledger/blocks/pending-blocks.ts';
import type { RegisteredAccountList } from '../ledger/registered-accounts.ts';
import { Schedule } from '../ledger/schedule.ts';
import { ShareJournal } from '../ledger/share-journal.ts';
import type { LedgerBus } from '../ledger/share-stream.ts';
import { ShareWriter } from '../ledger/share-writer.ts';
import { ExtranonceAllocator } from '../stratum/extranonce.ts';
import { JobFeed } from '../stratum/job-feed.ts';
import { StratumServer } from '../stratum/server.ts';
import type { CreditedShare, RejectedSubmit, StratumEvents } from '../stratum/session-context.ts';
import { createAddressAuthorizer } from '../stratum/worker-identity.ts';
import { payoutScript } from '../work/address.ts';
import { assembleBlock } from '../work/block.ts';
import { createShareHasher } from '../work/share-hasher.ts';
import { difficultyFromBits } from '../work/target.ts';
import { journalHealth } from './journals.ts';
import { poolPayoutAddress, submitNodes } from './node.ts';
import { claimNode } from './node-claim.ts';
import { stratumV2Listeners } from './stratum-v2-listeners.ts';
import {
  poolStats,
  protocolRecord,
  rejectRecord,
  shareRecord,
  STATS_INTERVAL_MS,
  type StratumOutlet,
} from './stratum-outlet.ts';
import type { VitalsRecorder } from './stratum-vitals.ts';
import type { RunningRole } from './writer.ts';

/** Found blocks in the journal that NATS has not acknowledged are sent again this often. */
const BLOCK_RESEND_MS = 10_000;
const RESEND_BLOCKS = 'resend blocks';
/**
 * A share's reply waits at most about this long in a turn of the event loop for its
 * commit (one journal write for the shares of every connection read meanwhile).
 */
const GROUP_COMMIT_MS = 2;

export interface StratumRole extends RunningRole {
  readonly port: number;
  readonly tlsPort: number | undefined;
  readonly soloPort: number | undefined;
  /** Stratum V2's port; undefined when stratum.v2Port is unset. */
  readonly sv2Port: number | undefined;
  /** The Job Declaration Server's port; undefined when stratum.jdsPort is unset. */
  readonly jdsPort: number | undefined;
}

/** What the Stratum role works with: the node, its templates, and where its shares and blocks go. */
export interface StratumParts {
  readonly rpc: BitcoinRpcClient;
  /** The node's own, or those a host relays (to a forked Stratum process, to the Stratum thread). */
  readonly templates: TemplateFeed;
  readonly outlet: StratumOutlet;
  /** The named accounts miners may mine under; whoever has the database keeps it current. */
  readonly accounts: RegisteredAccountList;
  /** With NATS: the node id is claimed there. */
  readonly bus: LedgerBus | undefined;
  /** Where the node's journals report their health: /api/health here, or the host's. */
  readonly reportJournal: (state: JournalState) => void;
  readonly vitals: VitalsRecorder;
}

export async function startStratum(config: Config, parts: StratumParts, log: Logger): Promise<StratumRole> {
  const { rpc, templates, outlet, accounts, vitals } = parts;
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
  const { nodeId } = config.stratum;
  const sharesHealth = journalHealth('shares', nodeId, parts.reportJournal, (health, error) => {
    if (health.writable) {
      log.warn('ledger: the share journal can be written again; shares are taken again');
    } else {
      log.error(
        { err: error, problem: health.problem },
        'ledger: the share journal cannot be written; valid shares are refused (Stratum error 20) until it can',
      );
    }
  });
  const blocksHealth = journalHealth('blocks', nodeId, parts.reportJournal, (health, error) => {
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
    vitals.timed(outlet.sink),
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
  const recorder: BlockRecorder = {
    record(outcome) {
      vitals.blockSettled(outcome.status);
      return relay.record(outcome);
    },
  };
  // When each block found here was validated, until its first offer to the node has left.
  const foundAt = new Map<string, number>();
  const submitter = new BlockSubmitter(rpc, recorder, log, {
    pending: new PendingBlocks(
      path.join(config.dataDir, 'blocks-pending', `node-${String(config.stratum.nodeId)}`),
    ),
    otherNodes: submitNodes(config),
    onFirstOffer(block) {
      const validatedAt = foundAt.get(block.hash);
      foundAt.delete(block.hash);
      if (validatedAt !== undefined) {
        const ms = performance.now() - validatedAt;
        vitals.blockSubmitted(ms);
        log.info({ hash: block.hash, ms: Number(ms.toFixed(3)) }, 'chain: block sent to the node');
      }
    },
  });
  const resend = outlet.resendsBlocks
    ? new Schedule(
        [{ name: RESEND_BLOCKS, intervalMs: BLOCK_RESEND_MS, run: () => relay.resendJournalled() }],
        log,
      )
    : undefined;
  const stats = poolStats(log);
  const events: StratumEvents = {
    blockFound(found: CreditedShare) {
      const validatedAt = performance.now();
      vitals.blockFound();
      const { share } = found;
      // [sv2 6.3.1] A Coinbase-only job's transactions are the miner's: it broadcasts the block, the submitter watches for it.
      const withheld = share.job.template.transactionsWithheld === true;
      const blockHex = withheld
        ? ''
        : assembleBlock(
            share.job,
            found.extranonce1,
            Buffer.from(share.extranonce2, 'hex'),
            share.header,
          ).toString('hex');
      const hash = Buffer.from(share.hash).reverse().toString('hex');
      if (!withheld) {
        foundAt.set(hash, validatedAt);
      }
      void submitter.submit(
        {
          height: share.job.template.height,
          hash,
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
      vitals.shareAccepted(found.difficulty);
      stats.accepted(found);
      writer.addShare(shareRecord(found));
    },
    shareRejected(reject: RejectedSubmit) {
      vitals.shareRejected(reject.reason);
      stats.rejected();
      if (reject.identity) {
        writer.addReject(rejectRecord(reject, reject.identity));
      }
    },
    workerConnected(connected) {
      writer.addProtocol(protocolRecord(connected));
    },
    commitShares() {
      const committed = writer.commit();
      vitals.committed();
      return committed;
    },
    problem(message, error) {
      log.error({ err: error }, message);
    },
  };
  // Checked before any miner is taken: keys that do not open stop start-up, saying why.
  const { sv2, jobDeclarations } = stratumV2Listeners(config, poolScript.script, log);
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
      ...(jobDeclarations && { jobDeclarations }),
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
      sv2,
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
  templates.onTemplate((template, newBlock) => {
    vitals.templateReceived();
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
      vitals.jobSent();
    } catch (error) {
      log.error(
        { err: error, height: template.height, newBlock },
        'work: no job fits this template; miners keep the previous one',
      );
    }
  });
  vitals.watch({
    connections: () => server.connectionCount,
    batchesWaiting: () => writer.waiting,
  });
  await templates.start();
  serving.server = server;
  const { port, tlsPort, soloPort, sv2Port, jdsPort } = await server.listen();
  log.info(
    {
      stratum: `stratum+tcp://${stratum.host}:${String(port)}`,
      tls: tlsPort,
      solo: soloPort,
      sv2: sv2Port,
      jds: jdsPort,
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
  submitter.keepConnectionWarm();
  // Blocks an earlier run found and could not settle are offered again.
  submitter.resume().catch((error: unknown) => {
    log.error({ err: error }, 'chain: the blocks an earlier run left unsettled could not be read');
  });
  return {
    port,
    tlsPort,
    soloPort,
    sv2Port,
    jdsPort,
    async stop() {
      clearInterval(statsTimer);
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
