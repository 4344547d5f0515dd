/**
 * Starts: a NATS server with JetStream of this test's own (nats-server on a free port,
 * its store in a temporary folder), a devchain node in this process, a real PostgreSQL
 * database, and as processes of bin/hashwatt.js two Stratum nodes (role stratum, node
 * ids 1 and 2, no database) and one writer (roles writer and api). Miners mine on both
 * nodes over real TCP while a Stratum node starts before NATS, a node is killed and
 * restarted, NATS is killed and restarted (the writer living through it), and the
 * writer is killed and restarted: every share a node accepted is stored exactly once,
 * and every block the nodes found is recorded once.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCompact, targetFromDifficulty } from '../../src/work/target.ts';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestNode, type TestNode } from '../helpers/devnode.ts';
import { freePort } from '../helpers/embedded-postgres.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import { startNatsServer, startPoolProcess, untilListening, type TestProcess } from '../helpers/processes.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const SHARE_DIFFICULTY = 0.00001;
/** About one share in twenty is a block: blocks are found, and jobs go stale under the miners. */
const NETWORK_DIFFICULTY = 0.0002;
const MINERS_PER_NODE = 2;

interface Miners {
  readonly clients: StratumClient[];
  readonly workers: string[];
}

describe('two Stratum nodes and a writer joined by NATS JetStream', () => {
  let database: TestDatabase;
  let chain: TestNode;
  let folder: string;
  let ports: { nats: number; a: number; b: number; api: number };
  const running = new Set<TestProcess>();
  let accepted = 0;

  const common = (): Record<string, string> => ({
    HASHWATT_NODE_RPC_URL: chain.node.rpcUrl,
    HASHWATT_NODE_RPC_USER: 'u',
    HASHWATT_NODE_RPC_PASSWORD: 'p',
    HASHWATT_NODE_POLL_INTERVAL_MS: '100',
    HASHWATT_POOL_PAYOUT_ADDRESS: MINER_ADDRESS,
    HASHWATT_NATS_URL: `nats://127.0.0.1:${String(ports.nats)}`,
    HASHWATT_LEDGER_FLUSH_INTERVAL_MS: '50',
    HASHWATT_LEDGER_RETRY_INTERVAL_MS: '200',
    HASHWATT_STRATUM_HOST: '127.0.0.1',
    HASHWATT_STRATUM_MIN_DIFFICULTY: String(SHARE_DIFFICULTY),
    HASHWATT_STRATUM_MAX_DIFFICULTY: String(SHARE_DIFFICULTY * 4),
    HASHWATT_LOG_LEVEL: 'warn',
  });

  function started(process: TestProcess): TestProcess {
    running.add(process);
    void process.exited.then(() => running.delete(process));
    return process;
  }

  async function stratumNode(nodeId: 1 | 2): Promise<TestProcess> {
    const port = nodeId === 1 ? ports.a : ports.b;
    const node = started(
      startPoolProcess({
        ...common(),
        HASHWATT_ROLES: 'stratum',
        HASHWATT_STRATUM_NODE_ID: String(nodeId),
        HASHWATT_STRATUM_PORT: String(port),
        HASHWATT_DATA_DIR: path.join(folder, `node-${String(nodeId)}`),
      }),
    );
    await untilListening(node, port);
    return node;
  }

  async function writer(): Promise<TestProcess> {
    const process = started(
      startPoolProcess({
        ...common(),
        HASHWATT_ROLES: 'writer,api',
        HASHWATT_DATABASE_URL: database.url,
        HASHWATT_API_HOST: '127.0.0.1',
        HASHWATT_API_PORT: String(ports.api),
        HASHWATT_PAYOUTS_ENABLED: 'false',
        HASHWATT_DATA_DIR: path.join(folder, 'writer'),
      }),
    );
    await untilListening(process, ports.api);
    return process;
  }

  const nats = (): TestProcess => started(startNatsServer(ports.nats, path.join(folder, 'nats')));

  async function miners(port: number, node: string): Promise<Miners> {
    const workers = Array.from(
      { length: MINERS_PER_NODE },
      (_, index) => `${MINER_ADDRESS}.${node}rig${String(index)}`,
    );
    const clients = await Promise.all(workers.map(() => StratumClient.connect(port)));
    await Promise.all(
      clients.map((client, index) =>
        client.subscribeAndAuthorize(workers[index] ?? '', `d=${String(SHARE_DIFFICULTY)}`),
      ),
    );
    return { clients, workers };
  }

  /** Each miner submits `count` shares; the ones accepted are counted (a new block makes some stale). */
  async function mine(group: Miners, count: number): Promise<void> {
    await Promise.all(
      group.clients.map(async (client, index) => {
        for (let share = 0; share < count; share += 1) {
          const reply = await client.mineAndSubmit(group.workers[index] ?? '');
          if (reply.result === true) {
            accepted += 1;
          }
        }
      }),
    );
  }

  const close = (group: Miners): void => {
    for (const client of group.clients) {
      client.close();
    }
  };

  const storedShares = (): Promise<number> => countRows(database.db, 'shares');

  const recordedBlocks = async (): Promise<string[]> =>
    (await database.db.query<{ hash: string }>('SELECT hash FROM blocks ORDER BY hash')).rows.map(
      (row) => row.hash,
    );

  /** Waits until every share accepted so far is stored and every journalled block recorded. */
  const everythingStored = (): Promise<true> =>
    eventually(
      async () =>
        (await storedShares()) >= accepted &&
        (await recordedBlocks()).length >= new Set(journalledBlocks()).size
          ? true
          : undefined,
      `${String(accepted)} shares stored and the journalled blocks recorded`,
    );

  /** What the nodes wrote down as found, from their block journals. */
  /** The block hashes in one node's journal, a line each. */
  function journalOf(nodeId: number): string[] {
    const file = path.join(folder, `node-${String(nodeId)}`, 'blocks.jsonl');
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => (JSON.parse(line) as { hash: string }).hash)
      : [];
  }
  const journalledBlocks = (): string[] => [1, 2].flatMap(journalOf);

  beforeAll(async () => {
    database = await createTestDatabase();
    chain = await startTestNode({ bits: encodeCompact(targetFromDifficulty(NETWORK_DIFFICULTY)) });
    folder = mkdtempSync(path.join(tmpdir(), 'hashwatt-scale-out-'));
    ports = { nats: await freePort(), a: await freePort(), b: await freePort(), api: await freePort() };
  });

  afterAll(async () => {
    await Promise.all([...running].map((process) => process.stop('SIGKILL')));
    await chain.node.stop();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  // Pool processes started and restarted, each loading itself: many minutes on a busy machine.
  it('stores every accepted share once and records every found block once, through kills and restarts', async () => {
    // Node 2 starts before NATS does: it serves at once, its journal keeping the shares.
    const nodeB = await stratumNode(2);
    const onB = await miners(ports.b, 'b');
    await mine(onB, 4);
    let natsServer = nats();
    await untilListening(natsServer, ports.nats);
    let writerProcess = await writer();
    let nodeA = await stratumNode(1);
    let onA = await miners(ports.a, 'a');
    // Each node's id is the high byte of its extranonce1: the two never hand out the same work.
    expect(onA.clients.map((client) => client.extranonce1[0])).toEqual([1, 1]);
    expect(onB.clients.map((client) => client.extranonce1[0])).toEqual([2, 2]);
    await Promise.all([mine(onA, 12), mine(onB, 12)]);

    // A Stratum node dies without a goodbye; its miners come back to it restarted.
    await nodeA.stop('SIGKILL');
    close(onA);
    nodeA = await stratumNode(1);
    onA = await miners(ports.a, 'a');
    await Promise.all([mine(onA, 8), mine(onB, 8)]);

    // NATS goes away: the nodes keep answering, their journals keep the shares.
    await natsServer.stop('SIGKILL');
    await Promise.all([mine(onA, 8), mine(onB, 8)]);
    natsServer = nats();
    await untilListening(natsServer, ports.nats);
    // The nodes send what waited, and the writer, which lived through it, stores it.
    await everythingStored();

    // The writer dies mid-stream and comes back to the same durable consumer.
    await writerProcess.stop('SIGKILL');
    await Promise.all([mine(onA, 8), mine(onB, 8)]);
    writerProcess = await writer();
    await everythingStored();
    await sleep(1_000);
    close(onA);
    close(onB);
    expect(await nodeA.stop()).toBe(0);
    expect(await nodeB.stop()).toBe(0);
    await sleep(500);
    expect(await writerProcess.stop()).toBe(0);

    expect(await storedShares()).toBe(accepted);
    const found = journalledBlocks();
    expect(found.length).toBeGreaterThan(0);
    expect(await recordedBlocks()).toEqual([...new Set(found)].sort());
    // Node 1, killed between writing a block's line and clearing it from its pending
    // blocks, settles that block again at its restart and writes the line once more (the
    // books keep one block per hash, as checked above). Node 2 was never killed.
    expect(journalOf(2)).toHaveLength(new Set(journalOf(2)).size);
  }, 480_000);
});
