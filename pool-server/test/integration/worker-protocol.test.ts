/**
 * Stratum V2 in the API, end to end: a whole pool started in-process (the devchain, the
 * Stratum thread with V1 and V2 listeners, the API, a real PostgreSQL), a V1 miner
 * (helpers/stratum-client.ts) and a V2 miner (helpers/sv2-client.ts, the Noise handshake
 * against the pool's certificate) over real sockets. Each worker's protocol read back from
 * the API's miner page and worker lookup and from the workers table it is kept in; the V2
 * port and the authority key the pool made, on the public connect facts.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectInfo, MinerStats, WorkerStats } from '@hashwatt/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCertificateFile } from '../../src/stratum/v2/noise-keys.ts';
import { encodeAuthorityPublicKey } from '../../src/stratum/v2/noise/authority-key.ts';
import { freePort } from '../helpers/embedded-postgres.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';
import { ANY_TARGET, REQUIRES_STANDARD_JOBS, searchNonce, Sv2Client, u256 } from '../helpers/sv2-client.ts';
import { openStandardChannel, standardWork, submitStandard } from '../helpers/sv2-standard-channel.ts';
import { REQUIRES_WORK_SELECTION } from '../helpers/sv2-job-declarator.ts';

describe('the protocol each worker connected with', () => {
  let pool: TestPool;
  let authority: Buffer;
  const closers: (() => void)[] = [];

  let sv2Port: number;

  beforeAll(async () => {
    // A port of 0 is not one miners can be told: the connect facts need the one bound.
    sv2Port = await freePort();
    pool = await startTestPool({
      HASHWATT_STRATUM_V2_PORT: String(sv2Port),
      // The Job Declaration Server runs: V2 connections may select their own work.
      HASHWATT_STRATUM_JDS_PORT: '0',
      HASHWATT_STRATUM_LINE_TIMEOUT_SECONDS: '600',
    });
    authority = readCertificateFile(path.join(pool.dataDir, 'sv2-certificate.json')).authorityPublicKey;
  });

  afterAll(async () => {
    for (const close of closers) {
      close();
    }
    await pool.stop();
  });

  const api = async (route: string): Promise<{ status: number; body: unknown }> => {
    const response = await fetch(`http://127.0.0.1:${String(pool.apiPort)}/api${route}`);
    return { status: response.status, body: await response.json() };
  };

  /** Mines one accepted share over V1 as `worker`. */
  const mineV1 = async (worker: string): Promise<void> => {
    const client = await StratumClient.connect(pool.stratumPort);
    closers.push(() => {
      client.close();
    });
    await client.subscribeAndAuthorize(worker, 'd=0.000001');
    expect((await client.mineAndSubmit(worker)).result).toBe(true);
  };

  /** Opens a standard channel as `worker` over V2 and has one share acknowledged. */
  const mineV2 = async (worker: string): Promise<void> => {
    const client = await Sv2Client.connect(sv2Port, authority);
    closers.push(() => {
      client.close();
    });
    expect(await client.setup(REQUIRES_STANDARD_JOBS)).toMatchObject({ type: 'SetupConnection.Success' });
    const channel = await openStandardChannel(client, worker, 1);
    submitStandard(channel, 0, searchNonce(standardWork(channel), u256(channel.opened.target)));
    await client.next('SubmitShares.Success');
  };

  /**
   * The miner page's worker once its shares are stored and its protocol is `protocol`. Asked
   * twice a second: the API limits requests per address per minute, and a busy machine may
   * take many seconds to store the shares.
   */
  const listed = (worker: string, protocol: WorkerStats['protocol']): Promise<WorkerStats> => {
    let asked = false;
    return eventually(
      async () => {
        if (asked) {
          await sleep(500);
        }
        asked = true;
        const { status, body } = await api(`/miners/${MINER_ADDRESS}`);
        expect(status).toBe(200);
        const found = (body as MinerStats).workers.find((candidate) => candidate.name === worker);
        return found?.protocol === protocol ? found : undefined;
      },
      `${worker} listed with protocol ${String(protocol)}`,
    );
  };

  it('shows a V1 worker as V1 and a V2 worker as V2, on the miner page and the worker lookup', async () => {
    const v1Worker = `${MINER_ADDRESS}.protocolv1`;
    const v2Worker = `${MINER_ADDRESS}.protocolv2`;
    await mineV1(v1Worker);
    await mineV2(v2Worker);
    expect((await listed(v1Worker, 'v1')).shares.accepted).toBe(1);
    expect((await listed(v2Worker, 'v2')).shares.accepted).toBe(1);
    const lookup = await api(`/miners/${MINER_ADDRESS}/workers/${encodeURIComponent(v2Worker)}`);
    expect([lookup.status, (lookup.body as WorkerStats).protocol]).toEqual([200, 'v2']);
    // Kept where workers are: a restart reads it back from the table.
    const { rows } = await pool.db.query<{ name: string; protocol: string; protocol_at: Date }>(
      'SELECT name, protocol, protocol_at FROM workers WHERE name = ANY($1) ORDER BY name',
      [[v1Worker, v2Worker]],
    );
    expect(rows.map((row) => [row.name, row.protocol])).toEqual([
      [v1Worker, 'v1'],
      [v2Worker, 'v2'],
    ]);
    expect(rows.every((row) => row.protocol_at instanceof Date)).toBe(true);
  });

  it('shows the protocol of the latest connection when a worker moves from V1 to V2', async () => {
    const worker = `${MINER_ADDRESS}.protocolmove`;
    await mineV1(worker);
    await listed(worker, 'v1');
    await mineV2(worker);
    expect((await listed(worker, 'v2')).shares.accepted).toBe(2);
  });

  it('records a V2 connection that selects its own work as V2 with declared jobs', async () => {
    const worker = `${MINER_ADDRESS}.protocoldeclared`;
    const client = await Sv2Client.connect(sv2Port, authority);
    closers.push(() => {
      client.close();
    });
    expect(await client.setup(REQUIRES_WORK_SELECTION)).toMatchObject({ type: 'SetupConnection.Success' });
    client.send({
      type: 'OpenExtendedMiningChannel',
      request_id: 1,
      user_identity: worker,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
      min_extranonce_size: 8,
    });
    await client.next('OpenExtendedMiningChannel.Success');
    // Before its first share (which needs a declared job) the worker is in the table, not on the page.
    const row = await eventually(async () => {
      const { rows } = await pool.db.query<{ protocol: string }>(
        'SELECT protocol FROM workers WHERE name = $1',
        [worker],
      );
      return rows[0];
    }, 'the declaring worker recorded');
    expect(row.protocol).toBe('v2-declared');
  });

  it('tells anyone the V2 port and the authority key the pool made, as miners pin it', async () => {
    const response = await fetch(`http://127.0.0.1:${String(pool.apiPort)}/api/pool/connect`);
    expect(response.status).toBe(200);
    const connect = (await response.json()) as ConnectInfo;
    expect(connect.sv2).toEqual({
      port: sv2Port,
      authorityPublicKey: encodeAuthorityPublicKey(authority),
      // No stratum.jdsPort in this pool: no Job Declaration endpoint to offer.
      jdsPort: null,
    });
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
  });
});
