/**
 * Starts: the devchain and the database in this process and two Stratum processes
 * (node:cluster) sharing one port, which hand their shares to this one to store; miners
 * over real TCP.
 */
import cluster from 'node:cluster';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/eventually.ts';
import { parseExposition, valueOf } from '../helpers/metrics.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';

const WORKER = `${MINER_ADDRESS}.rig`;

describe('several Stratum processes on one port', () => {
  let pool: TestPool;
  beforeAll(async () => {
    pool = await startTestPool({
      HASHWATT_STRATUM_PROCESSES: '2',
      HASHWATT_STRATUM_NODE_ID: '7',
      HASHWATT_METRICS_PORT: '0',
    });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('spreads miners over processes whose extranonce1 ranges never meet, and each mines', async () => {
    const miners = await Promise.all(
      Array.from({ length: 6 }, () => StratumClient.connect(pool.stratumPort)),
    );
    for (const miner of miners) {
      await miner.subscribeAndAuthorize(WORKER);
    }
    const prefixes = new Set(miners.map((miner) => miner.extranonce1[0]));
    expect(prefixes).toEqual(new Set([7, 8]));
    expect(new Set(miners.map((miner) => miner.extranonce1.toString('hex'))).size).toBe(6);
    for (const miner of miners) {
      expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
    }
    for (const miner of miners) {
      miner.close();
    }
    // Each process hands its batches to the primary, which stores them: both nodes' shares are in.
    const stored = await eventually(async () => {
      const { rows } = await pool.db.query<{ node_id: number; shares: string }>(
        'SELECT node_id, sum(share_count)::text AS shares FROM share_batches GROUP BY node_id ORDER BY node_id',
      );
      // Each process seals its batch on its own clock: wait for all six.
      return rows.reduce((sum, row) => sum + Number(row.shares), 0) === 6 ? rows : undefined;
    }, "both processes' shares stored");
    expect(stored.map((row) => row.node_id)).toEqual([7, 8]);
    // The processes have no database: the primary keeps one running record for them, under the first node id.
    const uptime = await pool.db.query<{ node_id: number; stopped: boolean }>(
      'SELECT node_id, stopped FROM pool_uptime',
    );
    expect(uptime.rows).toEqual([{ node_id: 7, stopped: false }]);
    // The primary's metrics listener asks each process for its counters over its channel.
    const response = await fetch(`http://127.0.0.1:${String(pool.metricsPort)}/metrics`);
    const samples = parseExposition(await response.text());
    const accepted = [7, 8].map((node) =>
      valueOf(samples, 'hashwatt_stratum_shares_accepted_total', { node: String(node) }),
    );
    expect(accepted.every((count) => count !== undefined && count > 0)).toBe(true);
    expect((accepted[0] ?? 0) + (accepted[1] ?? 0)).toBe(6);
  });

  it('every process follows the chain: a network block reaches all miners as clean_jobs', async () => {
    const miners = await Promise.all(
      Array.from({ length: 4 }, () => StratumClient.connect(pool.stratumPort)),
    );
    for (const miner of miners) {
      await miner.subscribeAndAuthorize(WORKER);
    }
    pool.devnode?.chain.addNetworkBlock();
    const notices = await Promise.all(miners.map((miner) => miner.nthNotification('mining.notify', 1)));
    expect(notices.every((notice) => notice.params?.[8] === true)).toBe(true);
    for (const miner of miners) {
      miner.close();
    }
  });
});

describe('the Stratum processes of a host and the node', () => {
  it("share the host's one longpoll instead of holding one each", async () => {
    const pool = await startTestPool({ HASHWATT_STRATUM_PROCESSES: '3' });
    try {
      const chain = pool.devnode?.chain;
      if (!chain) {
        throw new Error('the test pool runs the devchain');
      }
      for (let block = 0; block < 3; block++) {
        // Each new block answers the longpoll, and the next one is held at once.
        await eventually(() => (chain.heldLongpolls > 0 ? true : undefined), 'the longpoll held');
        await sleep(300);
        expect(chain.heldLongpolls).toBe(1);
        chain.addNetworkBlock();
      }
    } finally {
      await pool.stop();
    }
  });
});

describe('a Stratum process that cannot start', () => {
  it('fails the start with a message naming it, and leaves no Stratum process behind', async () => {
    // The processes read the certificate; this one is not there, so each exits at start-up.
    const start = startTestPool({
      HASHWATT_STRATUM_PROCESSES: '2',
      HASHWATT_STRATUM_TLS_PORT: '0',
      HASHWATT_STRATUM_TLS_CERT_FILE: '/nonexistent/hashwatt-cert.pem',
      HASHWATT_STRATUM_TLS_KEY_FILE: '/nonexistent/hashwatt-key.pem',
    });
    await expect(start).rejects.toThrow(/Stratum process \d exited before it was ready \(code 1/);
    expect(Object.keys(cluster.workers ?? {})).toEqual([]);
  });
});
