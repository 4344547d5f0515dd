/**
 * Starts: HAProxy (Debian's haproxy, as a process) in front of two Stratum nodes, one
 * sent PROXY protocol v2 and the other v1, with health checks; the nodes, a writer
 * (role writer) and a devchain node run in this process; the local NATS server with
 * JetStream (127.0.0.1:4222, a stream of this test's own, removed after) joins them to
 * a real PostgreSQL database. Miners from sixteen source addresses reach both nodes
 * through the balancer, each node sees their own address (a ban falls on the miner,
 * not on the balancer), and every share accepted on either node is stored once. A node
 * configured with an id another node holds is refused.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { start, type RunningPool } from '../../src/roles/pool.ts';
import { encodeCompact, targetFromDifficulty } from '../../src/work/target.ts';
import { countRows, createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTestNode, type TestNode } from '../helpers/devnode.ts';
import { freePort } from '../helpers/embedded-postgres.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';
import { startProcess, systemBinary, untilListening, type TestProcess } from '../helpers/processes.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const SOURCES = Array.from({ length: 16 }, (_, index) => `127.0.0.${String(index + 10)}`);
const SHARES_EACH = 2;

describe('HAProxy in front of two Stratum nodes', () => {
  let database: TestDatabase;
  let chain: TestNode;
  let folder: string;
  let haproxy: TestProcess;
  let balancerPort: number;
  const nodes: RunningPool[] = [];
  const suffix = randomUUID().slice(0, 8);
  const stream = `HASHWATT_HAPROXY_${suffix}`;

  function pool(settings: Record<string, string>): Promise<RunningPool> {
    return start(
      loadConfig({
        HASHWATT_NODE_RPC_URL: chain.node.rpcUrl,
        HASHWATT_NODE_RPC_USER: 'u',
        HASHWATT_NODE_RPC_PASSWORD: 'p',
        HASHWATT_POOL_PAYOUT_ADDRESS: MINER_ADDRESS,
        HASHWATT_NATS_URL: 'nats://127.0.0.1:4222',
        HASHWATT_NATS_STREAM: stream,
        HASHWATT_NATS_SUBJECT_PREFIX: `hashwatt.haproxy${suffix}`,
        HASHWATT_LEDGER_FLUSH_INTERVAL_MS: '20',
        HASHWATT_STRATUM_HOST: '127.0.0.1',
        HASHWATT_STRATUM_PORT: '0',
        HASHWATT_STRATUM_PROXY_PROTOCOL_FROM: '127.0.0.1',
        HASHWATT_STRATUM_MIN_DIFFICULTY: '0.00001',
        HASHWATT_STRATUM_BAN_THRESHOLD: '30',
        HASHWATT_NATS_NODE_LEASE_SECONDS: '3',
        HASHWATT_LOG_LEVEL: 'fatal',
        ...settings,
      }),
      pino({ level: 'fatal' }),
    );
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    chain = await startTestNode({ bits: encodeCompact(targetFromDifficulty(1)) });
    folder = mkdtempSync(path.join(tmpdir(), 'hashwatt-haproxy-'));
    for (const nodeId of [1, 2]) {
      nodes.push(
        await pool({
          HASHWATT_ROLES: 'stratum',
          HASHWATT_STRATUM_NODE_ID: String(nodeId),
          HASHWATT_DATA_DIR: path.join(folder, `node-${String(nodeId)}`),
        }),
      );
    }
    nodes.push(
      await pool({
        HASHWATT_ROLES: 'writer',
        HASHWATT_DATABASE_URL: database.url,
        HASHWATT_PAYOUTS_ENABLED: 'false',
        HASHWATT_DATA_DIR: path.join(folder, 'writer'),
      }),
    );
    balancerPort = await freePort();
    const [first, second] = nodes;
    // Sources hashed to a node, as a pool balancer keeps a miner on one node; checks with PROXY headers.
    const config = [
      'global',
      '  maxconn 2000',
      'defaults',
      '  mode tcp',
      '  timeout connect 5s',
      '  timeout client 1h',
      '  timeout server 1h',
      'frontend stratum',
      `  bind 127.0.0.1:${String(balancerPort)}`,
      '  default_backend nodes',
      'backend nodes',
      '  balance source',
      `  server node1 127.0.0.1:${String(first?.stratumPort)} send-proxy-v2 check check-send-proxy inter 300ms`,
      `  server node2 127.0.0.1:${String(second?.stratumPort)} send-proxy check check-send-proxy inter 300ms`,
      '',
    ].join('\n');
    const file = path.join(folder, 'haproxy.cfg');
    writeFileSync(file, config);
    haproxy = startProcess(systemBinary('haproxy'), ['-db', '-f', file], process.env);
    await untilListening(haproxy, balancerPort);
  });

  afterAll(async () => {
    await haproxy.stop();
    for (const node of nodes) {
      await node.stop();
    }
    const nc = await connect({ servers: '127.0.0.1:4222' });
    await (await jetstreamManager(nc)).streams.delete(stream);
    await (await new Kvm(nc).open(`${stream}_NODES`)).destroy();
    await nc.close();
    await chain.node.stop();
    await database.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('spreads miners over both nodes, each node seeing the miner and storing its shares once', async () => {
    // Health checks have run by now; they must not have cost the balancer anything.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const miners = await Promise.all(
      SOURCES.map((source) => StratumClient.connect(balancerPort, '127.0.0.1', source)),
    );
    let accepted = 0;
    await Promise.all(
      miners.map(async (miner, index) => {
        const worker = `${MINER_ADDRESS}.src${String(index)}`;
        await miner.subscribeAndAuthorize(worker, 'd=0.00001');
        for (let share = 0; share < SHARES_EACH; share += 1) {
          if ((await miner.mineAndSubmit(worker)).result === true) {
            accepted += 1;
          }
        }
      }),
    );
    expect(accepted).toBe(SOURCES.length * SHARES_EACH);
    const nodeIds = new Set(miners.map((miner) => miner.extranonce1[0]));
    expect([...nodeIds].sort()).toEqual([1, 2]);
    // Both nodes build the same work from the same template (previous block, coinbase
    // halves, merkle branch, version, bits): only each node's extranonce1 sets it apart.
    const workOf = (nodeId: number) =>
      miners.find((miner) => miner.extranonce1[0] === nodeId)?.job?.slice(1, 7);
    expect(workOf(1)).toBeDefined();
    expect(workOf(1)).toEqual(workOf(2));
    await eventually(
      async () => {
        const stored = await countRows(database.db, 'shares');
        return stored >= accepted ? stored : undefined;
      },
      'the shares stored',
      20_000,
    );
    const { rows } = await database.db.query<{ worker: string; n: string }>(
      'SELECT w.name AS worker, count(*)::text AS n FROM shares s JOIN workers w ON w.id = s.worker_id GROUP BY 1',
    );
    expect(rows).toHaveLength(SOURCES.length);
    expect(rows.every((row) => row.n === String(SHARES_EACH))).toBe(true);
    for (const miner of miners) {
      miner.close();
    }
  });

  it('refuses a third Stratum node configured with a node id another node holds', async () => {
    await expect(
      pool({
        HASHWATT_ROLES: 'stratum',
        HASHWATT_STRATUM_NODE_ID: '2',
        HASHWATT_DATA_DIR: path.join(folder, 'node-2-twin'),
      }),
    ).rejects.toThrow(/^stratum\.nodeId 2 is held by another Stratum node/);
  });

  it('bans the miner behind the balancer by its own address, and only that miner', async () => {
    const garbler = await StratumClient.connect(balancerPort, '127.0.0.1', '127.0.0.40');
    garbler.socket.write('{{{\n'.repeat(3));
    await garbler.waitForClose();
    const again = await StratumClient.connect(balancerPort, '127.0.0.1', '127.0.0.40');
    await again.waitForClose();
    const neighbour = await StratumClient.connect(balancerPort, '127.0.0.1', '127.0.0.41');
    expect((await neighbour.request('mining.subscribe', ['after a ban'])).result).toBeDefined();
    neighbour.close();
  });
  it('moves its miners to a free node id when another node takes its own: set_extranonce, or reconnect', async () => {
    const [first] = nodes;
    // Straight to node 1, from an address that is not the balancer's (no PROXY header expected).
    const taker = await StratumClient.connect(first?.stratumPort ?? 0, '127.0.0.1', '127.0.0.60');
    const plain = await StratumClient.connect(first?.stratumPort ?? 0, '127.0.0.1', '127.0.0.61');
    const worker = `${MINER_ADDRESS}.mover`;
    expect((await taker.request('mining.extranonce.subscribe', [])).result).toBe(true);
    await taker.subscribeAndAuthorize(worker, 'd=0.00001');
    await plain.subscribeAndAuthorize(`${MINER_ADDRESS}.plain`, 'd=0.00001');
    expect(taker.extranonce1[0]).toBe(1);
    expect((await taker.mineAndSubmit(worker)).result).toBe(true);
    const oldJob = taker.job;
    // The client takes set_extranonce into these: compare with the values from before it.
    const oldExtranonce1 = Buffer.from(taker.extranonce1);
    const oldExtranonce2Size = taker.extranonce2Size;

    // A node configured with id 1 takes it while node 1 could not renew its claim.
    const nc = await connect({ servers: '127.0.0.1:4222' });
    const kv = await new Kvm(nc).open(`${stream}_NODES`);
    await kv.put('node-1', JSON.stringify({ instance: 'twin', host: 'elsewhere', pid: 1, since: 'now' }));
    await nc.close();

    const moved = await taker.nthNotification('mining.set_extranonce', 0, 10_000);
    // Node 2 holds id 2: the first free id after 1 is 3.
    const [movedExtranonce1, movedExtranonce2Size] = moved.params as [string, number];
    expect(movedExtranonce1).toMatch(/^03/);
    expect(movedExtranonce1).toHaveLength(oldExtranonce1.length * 2);
    expect(movedExtranonce2Size).toBe(oldExtranonce2Size);
    // The client took it: its shares from now on carry the new extranonce1.
    expect(taker.extranonce1.toString('hex')).toBe(movedExtranonce1);
    const cleaning = await taker.waitFor(
      () => (taker.job !== oldJob && taker.job?.[8] === true ? taker.job : undefined),
      5_000,
      'a job that cleans the old ones',
    );
    expect(cleaning[0]).not.toBe(oldJob?.[0]);
    // Work on the old job was made with the old extranonce1: stale now, never credited.
    const late = await taker.request('mining.submit', [
      worker,
      oldJob?.[0],
      '00'.repeat(taker.extranonce2Size),
      oldJob?.[7],
      '00000000',
    ]);
    expect((late.error as unknown[] | null)?.[0]).toBe(21);
    expect((await taker.mineAndSubmit(worker)).result).toBe(true);
    await plain.nthNotification('client.reconnect', 0);
    await plain.waitForClose();
    taker.close();
  });
});
