/**
 * Starts: the devchain (real JSON-RPC over HTTP, ZMQ), the pool's template source and
 * block submitter, and the Stratum server on a real TCP port; miners are TCP clients.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINER_ADDRESS, OTHER_MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';
import { eventually } from '../helpers/eventually.ts';
import { mineShare } from '../helpers/mining.ts';
import type { NotifyParams } from '../../src/work/job.ts';

const WORKER = `${MINER_ADDRESS}.rig1`;

describe('a whole Stratum session against the devchain', () => {
  let pool: TestPool;
  let miner: StratumClient;

  beforeAll(async () => {
    pool = await startTestPool();
    miner = await StratumClient.connect(pool.stratumPort);
  });
  afterAll(async () => {
    miner.close();
    await pool.stop();
  });

  it('configure, subscribe and authorize, then difficulty and a job', async () => {
    const configured = await miner.request('mining.configure', [
      ['version-rolling'],
      { 'version-rolling.mask': 'ffffffff' },
    ]);
    expect(configured.result).toEqual({ 'version-rolling': true, 'version-rolling.mask': '1fffe000' });
    const subscribed = await miner.request('mining.subscribe', ['cgminer/4.11.1']);
    const [subscriptions, extranonce1, size] = subscribed.result as [unknown, string, number];
    expect(subscriptions).toEqual([
      ['mining.set_difficulty', extranonce1],
      ['mining.notify', extranonce1],
    ]);
    expect(size).toBe(8);
    miner.extranonce1 = Buffer.from(extranonce1, 'hex');
    miner.extranonce2Size = size;
    expect((await miner.request('mining.authorize', [WORKER, 'x'])).result).toBe(true);
    const notify = await miner.nthNotification('mining.notify', 0);
    expect(notify.params?.[8]).toBe(true);
    expect(miner.difficulty).toBe(0.000001);
    // The job is built on the devchain's tip.
    const tip = pool.devnode?.chain.tip.hash ?? '';
    const prevhash = Buffer.from(String(notify.params?.[1]), 'hex').swap32().reverse().toString('hex');
    expect(prevhash).toBe(tip);
  });

  it('accepts a valid share and stores it, with its account and worker', async () => {
    expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
    const stored = await eventually(async () => {
      const { rows } = await pool.db.query<{ account: string; worker: string; difficulty: number }>(
        'SELECT a.name AS account, w.name AS worker, s.difficulty FROM shares s JOIN accounts a ON a.id = s.account_id JOIN workers w ON w.id = s.worker_id',
      );
      return rows.length > 0 ? rows : undefined;
    }, 'the share in the database');
    expect(stored).toEqual([{ account: MINER_ADDRESS, worker: WORKER, difficulty: 0.000001 }]);
  });

  it('23 low difficulty, 22 duplicate, 20 bad ntime, 20 version bits outside the mask, 24 unauthorized', async () => {
    const job = miner.job;
    if (!job) {
      throw new Error('no job');
    }
    const low = mineShare(job, miner.extranonce1, 8, miner.difficulty, {
      miss: true,
      extranonce2: '00000000000000aa',
    });
    const lowReply = await miner.request('mining.submit', [
      WORKER,
      job[0],
      low.extranonce2,
      low.ntime,
      low.nonce,
    ]);
    expect((lowReply.error as unknown[])[0]).toBe(23);

    const good = mineShare(job, miner.extranonce1, 8, miner.difficulty, { extranonce2: '00000000000000bb' });
    const params = [WORKER, job[0], good.extranonce2, good.ntime, good.nonce];
    expect((await miner.request('mining.submit', params)).result).toBe(true);
    expect((await miner.request('mining.submit', params)).error).toEqual([
      22,
      'this share was already submitted',
      null,
    ]);

    const badTime = await miner.request('mining.submit', [
      WORKER,
      job[0],
      good.extranonce2,
      'ffffffff',
      good.nonce,
    ]);
    expect((badTime.error as unknown[])[0]).toBe(20);
    expect(String((badTime.error as unknown[])[1])).toMatch(/^ntime/);

    const badBits = await miner.request('mining.submit', [
      WORKER,
      job[0],
      good.extranonce2,
      good.ntime,
      good.nonce,
      'e0000000',
    ]);
    expect((badBits.error as unknown[])[0]).toBe(20);
    expect(String((badBits.error as unknown[])[1])).toMatch(/negotiated mask/);

    const stranger = await miner.request('mining.submit', [
      `${OTHER_MINER_ADDRESS}.x`,
      job[0],
      good.extranonce2,
      good.ntime,
      good.nonce,
    ]);
    expect(stranger.error).toEqual([24, 'Unauthorized worker', null]);
  });

  it('a network block sends clean_jobs, and shares of the old job are stale (21)', async () => {
    const old = miner.job;
    if (!old) {
      throw new Error('no job');
    }
    const share = mineShare(old, miner.extranonce1, 8, miner.difficulty, { extranonce2: '00000000000000cc' });
    const before = miner.notifications.filter((m) => m.method === 'mining.notify').length;
    pool.devnode?.chain.addNetworkBlock();
    const notify = await miner.nthNotification('mining.notify', before, 2_000);
    expect(notify.params?.[8]).toBe(true);
    const reply = await miner.request('mining.submit', [
      WORKER,
      old[0],
      share.extranonce2,
      share.ntime,
      share.nonce,
    ]);
    expect((reply.error as unknown[])[0]).toBe(21);
    expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
  });
});

/**
 * The work a cgminer-family miner (cgminer, cpuminer, their firmware) mines now: it holds a
 * mining.set_difficulty as pending and binds it to the next mining.notify, mining each job
 * at the difficulty bound to it.
 */
function cgminerWork(miner: StratumClient): { job: NotifyParams; difficulty: number } | undefined {
  let pending = 0;
  let work: { job: NotifyParams; difficulty: number } | undefined;
  for (const message of miner.notifications) {
    if (message.method === 'mining.set_difficulty') {
      pending = Number(message.params?.[0]);
    } else if (message.method === 'mining.notify') {
      work = { job: message.params as unknown as NotifyParams, difficulty: pending };
    }
  }
  return work;
}

describe('a difficulty change reaches a cgminer-family miner at once', () => {
  let pool: TestPool;

  beforeAll(async () => {
    // No template refresh during the test: only the difficulty change can bring a job.
    pool = await startTestPool({ HASHWATT_NODE_REFRESH_INTERVAL_MS: '600000' });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('d= at authorize after the first job: the next share is made and credited at the new difficulty', async () => {
    const worker = `${MINER_ADDRESS}.cgminer`;
    const miner = await StratumClient.connect(pool.stratumPort);
    const subscribed = await miner.request('mining.subscribe', ['cgminer/4.11.1']);
    const [, extranonce1, size] = subscribed.result as [unknown, string, number];
    const first = await miner.waitFor(() => cgminerWork(miner), 5_000, 'the first job');
    expect(first.difficulty).toBe(0.000001);

    expect((await miner.request('mining.authorize', [worker, 'd=0.00002'])).result).toBe(true);
    const next = await miner.waitFor(
      () => {
        const work = cgminerWork(miner);
        return work?.job[0] === first.job[0] ? undefined : work;
      },
      5_000,
      'a job bound to the new difficulty',
    );
    expect(next.difficulty).toBe(0.00002);
    expect(next.job[8]).toBe(false);
    // The same work: no template changed, only the id.
    expect(next.job.slice(1, 8)).toEqual(first.job.slice(1, 8));

    const share = mineShare(next.job, Buffer.from(extranonce1, 'hex'), size, next.difficulty);
    const reply = await miner.request('mining.submit', [
      worker,
      next.job[0],
      share.extranonce2,
      share.ntime,
      share.nonce,
    ]);
    expect(reply.result).toBe(true);
    const stored = await eventually(async () => {
      const { rows } = await pool.db.query<{ difficulty: number }>(
        'SELECT s.difficulty FROM shares s JOIN workers w ON w.id = s.worker_id WHERE w.name = $1',
        [worker],
      );
      return rows.length > 0 ? rows : undefined;
    }, 'the share in the database');
    expect(stored).toEqual([{ difficulty: 0.00002 }]);
    miner.close();
  });
});

describe('garbage never stops the other miners', () => {
  let pool: TestPool;
  let honest: StratumClient;

  beforeAll(async () => {
    pool = await startTestPool({ HASHWATT_STRATUM_DRAIN_TIMEOUT_SECONDS: '1' });
    honest = await StratumClient.connect(pool.stratumPort);
    await honest.subscribeAndAuthorize(WORKER);
  });
  afterAll(async () => {
    honest.close();
    await pool.stop();
  });

  async function stillMining(): Promise<void> {
    expect((await honest.mineAndSubmit(WORKER)).result).toBe(true);
  }

  // Misbehaving clients come from their own addresses: their ban points must not hit the honest miner.
  it('invalid JSON, an unknown method and a submit before authorize get errors', async () => {
    const client = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.50');
    client.socket.write('{"id":1,"method":"mining.subscribe",\n');
    await client.waitFor(() => client.replies.get(null));
    expect(client.replies.get(null)?.error).toEqual([20, 'Invalid JSON', null]);
    expect((await client.request('mining.frobnicate', [])).error).toEqual([
      20,
      'Unknown method mining.frobnicate',
      null,
    ]);
    expect((await client.request('mining.submit', [WORKER, '1', '00', '00', '00'])).error).toEqual([
      25,
      'Not subscribed',
      null,
    ]);
    await client.request('mining.subscribe', []);
    expect((await client.request('mining.submit', [WORKER, '1', '00', '00', '00'])).error).toEqual([
      24,
      'Unauthorized worker',
      null,
    ]);
    client.close();
    await stillMining();
  });

  it('a username that is neither a regtest address nor a registered account is refused, saying why', async () => {
    const client = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.51');
    await client.request('mining.subscribe', []);
    const expected =
      'the username is a regtest address (bcrt1…, m…, n… or 2…) or a registered account, then .worker';
    const unknown = await client.request('mining.authorize', ['farm-9.rig1', 'x']);
    expect(unknown.result).toBeNull();
    expect(unknown.error).toEqual([24, `farm-9 is not a registered account: ${expected}`, null]);
    // A mainnet address (BIP-173's P2WPKH example) is valid, but not on this chain.
    const mainnet = await client.request('mining.authorize', [
      'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.rig1',
      'x',
    ]);
    expect(mainnet.error).toEqual([
      24,
      expect.stringMatching(/is not a valid regtest address .*: the username is a regtest address/),
      null,
    ]);
    // The regtest address with its last character changed: the checksum fails.
    const typo = await client.request('mining.authorize', [`${MINER_ADDRESS.slice(0, -1)}s.rig1`, 'x']);
    expect(typo.error).toEqual([24, expect.stringMatching(/is not a valid regtest address/), null]);
    await pool.registerAccount('farm-9');
    expect((await client.request('mining.authorize', ['farm-9.rig1', 'x'])).result).toBe(true);
    client.close();
    await stillMining();
  });

  it('garbage bytes and a 1 MiB line with no newline are disconnected', async () => {
    const garbage = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.51');
    garbage.socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x0a]));
    await garbage.waitFor(() => garbage.replies.get(null));
    expect((garbage.replies.get(null)?.error as unknown[])[0]).toBe(20);

    const flood = await StratumClient.connect(pool.stratumPort, '127.0.0.1', '127.0.0.52');
    flood.socket.write(Buffer.alloc(1024 * 1024, 0x41));
    await flood.waitForClose();
    await stillMining();
  });

  it('a peer that stops reading is cut off, others carry on', async () => {
    const socket = net.connect({ port: pool.stratumPort, host: '127.0.0.1', localAddress: '127.0.0.53' });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    // The pool resets the connection: expected here, not a failure.
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    // Each subscribe is answered with the job (~700 bytes): 50,000 of them fill every buffer
    // between the pool and a reader that never reads.
    const subscribe = `${JSON.stringify({ id: 1, method: 'mining.subscribe', params: [] })}\n`;
    for (let i = 0; i < 50; i++) {
      socket.write(subscribe.repeat(1000));
    }
    await stillMining();
    // The pool gave up on it after the drain timeout (1 s here); reading now, it finds the end.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    socket.resume();
    await closed;
  });
});

describe('blocks', () => {
  let pool: TestPool;

  beforeAll(async () => {
    // Network difficulty equal to the share difficulty: every share is a block.
    pool = await startTestPool({ HASHWATT_DEVCHAIN_DIFFICULTY: '0.000001' });
  });
  afterAll(async () => {
    await pool.stop();
  });

  it('a block found by a miner is submitted, accepted by the devchain and recorded', async () => {
    const miner = await StratumClient.connect(pool.stratumPort);
    await miner.subscribeAndAuthorize(WORKER);
    const chain = pool.devnode?.chain;
    const height = chain?.height ?? 0;
    const jobs = miner.notifications.filter((m) => m.method === 'mining.notify').length;
    expect((await miner.mineAndSubmit(WORKER)).result).toBe(true);
    await eventually(() => ((chain?.height ?? 0) > height ? true : undefined), 'the block on the devchain');
    // The pool moves on to the next height with clean_jobs.
    const next = await miner.nthNotification('mining.notify', jobs);
    expect(next.params?.[8]).toBe(true);
    const journal = path.join(pool.dataDir, 'blocks.jsonl');
    const recorded = await eventually(async () => {
      const text = await readFile(journal, 'utf8').catch(() => '');
      return text.trim() === '' ? undefined : text.trim();
    }, 'the block in the journal');
    const [entry] = recorded.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entry).toMatchObject({
      height: height + 1,
      hash: chain?.tip.hash,
      status: 'accepted',
      finder: { account: MINER_ADDRESS, worker: WORKER },
    });
    expect(BigInt(String(entry?.reward))).toBeGreaterThan(0n);
    miner.close();
  });
});
