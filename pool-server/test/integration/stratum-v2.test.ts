/**
 * Stratum V2 on a whole pool started in-process (the devchain, the Stratum thread, a real
 * PostgreSQL), over real sockets with the test miner of helpers/sv2-client.ts: the Noise
 * handshake against the pool's certificate, SetupConnection and its refusals, a standard
 * and an extended channel mining shares that reach the database, a standard channel on its
 * group channel's extended job (no REQUIRES_STANDARD_JOBS), the refusals of bad
 * shares, a tampered ciphertext, and V1 and V2 miners sharing one ledger.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageOf } from '../../src/stratum/v2/message-table.ts';
import { readCertificateFile } from '../../src/stratum/v2/noise-keys.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { StratumClient } from '../helpers/stratum-client.ts';
import {
  openStandardChannel,
  standardWork,
  submitStandard,
  type StandardChannel,
} from '../helpers/sv2-standard-channel.ts';
import {
  ANY_TARGET,
  extendedMerkleRoot,
  REQUIRES_STANDARD_JOBS,
  searchNonce,
  Sv2Client,
  u256,
  u256Bytes,
  type Work,
} from '../helpers/sv2-client.ts';

/** [sv2 5.3.1] SetupConnection flags. */
const REQUIRES_WORK_SELECTION = 1 << 1;
const REQUIRES_VERSION_ROLLING = 1 << 2;

describe('Stratum V2 beside V1', () => {
  let pool: TestPool;
  let authority: Buffer;
  const clients: Sv2Client[] = [];

  beforeAll(async () => {
    pool = await startTestPool({
      HASHWATT_STRATUM_V2_PORT: '0',
      // Longer than any test waits: a connection closed during a test was closed for what it sent.
      HASHWATT_STRATUM_LINE_TIMEOUT_SECONDS: '600',
    });
    // The key a miner pins: the authority that signed the certificate made on first start.
    authority = readCertificateFile(path.join(pool.dataDir, 'sv2-certificate.json')).authorityPublicKey;
  });

  afterAll(async () => {
    for (const client of clients) {
      client.close();
    }
    await pool.stop();
  });

  const connect = async (): Promise<Sv2Client> => {
    const client = await Sv2Client.connect(pool.sv2Port ?? 0, authority);
    clients.push(client);
    return client;
  };

  const storedShares = async (worker: string): Promise<{ count: number; accountId: string | undefined }> => {
    const { rows } = await pool.db.query<{ count: number; account_id: string | null }>(
      `SELECT count(*)::int AS count, min(s.account_id::text) AS account_id
         FROM shares s JOIN workers w ON w.id = s.worker_id WHERE w.name = $1`,
      [worker],
    );
    return { count: rows[0]?.count ?? 0, accountId: rows[0]?.account_id ?? undefined };
  };

  /** Waits for SubmitShares.Success messages acknowledging `count` shares; returns the last. */
  const acknowledged = async (
    client: Sv2Client,
    count: number,
  ): Promise<MessageOf<'SubmitShares.Success'>> => {
    let seen = 0;
    for (;;) {
      const success = await client.next('SubmitShares.Success');
      seen += success.new_submits_accepted_count;
      if (seen >= count) {
        expect(seen).toBe(count);
        return success;
      }
    }
  };

  const openStandard = async (worker: string): Promise<StandardChannel> => {
    const client = await connect();
    expect(await client.setup(REQUIRES_STANDARD_JOBS)).toMatchObject({
      type: 'SetupConnection.Success',
      used_version: 2,
    });
    const channel = await openStandardChannel(client, worker, 7);
    const { opened, job, prevHash } = channel;
    expect(opened.request_id).toBe(7);
    // [sv2 5.3.3] A standard channel's prefix is its whole extranonce: 4 bytes of extranonce1, 8 of zeros.
    expect(opened.extranonce_prefix.length).toBe(12);
    expect(job.channel_id).toBe(opened.channel_id);
    // The first job is a future job, started by the SetNewPrevHash naming it.
    expect(job.min_ntime).toBeNull();
    expect(prevHash.job_id).toBe(job.job_id);
    return channel;
  };

  it('mines on a standard channel: shares are acknowledged in a batch and reach the database', async () => {
    const worker = `${MINER_ADDRESS}.v2standard`;
    const channel = await openStandard(worker);
    const target = u256(channel.opened.target);
    let nonce = -1;
    for (let sequence = 0; sequence < 3; sequence++) {
      nonce = searchNonce(standardWork(channel), target, nonce + 1);
      submitStandard(channel, sequence, nonce);
    }
    const last = await acknowledged(channel.client, 3);
    expect(last.last_sequence_number).toBe(2);
    expect(last.channel_id).toBe(channel.opened.channel_id);
    expect(channel.client.has('SubmitShares.Error')).toBe(false);
    const stored = await eventually(async () => {
      const shares = await storedShares(worker);
      return shares.count === 3 ? shares : undefined;
    }, 'the V2 shares stored');
    expect(stored.count).toBe(3);
  });

  it('sends a connection without REQUIRES_STANDARD_JOBS its group job, and takes a standard share on it', async () => {
    const worker = `${MINER_ADDRESS}.v2group`;
    const client = await connect();
    expect(await client.setup()).toMatchObject({ type: 'SetupConnection.Success' });
    client.send({
      type: 'OpenStandardMiningChannel',
      request_id: 8,
      user_identity: worker,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    const opened = await client.next('OpenStandardMiningChannel.Success');
    expect(await client.next('SetGroupChannel')).toEqual({
      type: 'SetGroupChannel',
      group_channel_id: opened.group_channel_id,
      channel_ids: [opened.channel_id],
    });
    const job = await client.next('NewExtendedMiningJob');
    const prevHash = await client.next('SetNewPrevHash');
    expect([job.channel_id, prevHash.channel_id]).toEqual([opened.group_channel_id, opened.group_channel_id]);
    expect(client.has('NewMiningJob')).toBe(false);
    // As a proxy does: the channel's merkle root from the group's job and the channel's prefix.
    const work: Work = {
      version: job.version,
      prevHash: prevHash.prev_hash,
      merkleRoot: extendedMerkleRoot(job, opened.extranonce_prefix, Buffer.alloc(0)),
      ntime: prevHash.min_ntime,
      nbits: prevHash.nbits,
    };
    client.send({
      type: 'SubmitSharesStandard',
      channel_id: opened.channel_id,
      sequence_number: 1,
      job_id: job.job_id,
      nonce: searchNonce(work, u256(opened.target)),
      ntime: work.ntime,
      version: work.version,
    });
    expect((await acknowledged(client, 1)).channel_id).toBe(opened.channel_id);
    await eventually(
      async () => ((await storedShares(worker)).count === 1 ? true : undefined),
      'the share stored',
    );
  });

  it('refuses a duplicate, a share above the target, an unknown channel, an unknown job and a stale job', async () => {
    const channel = await openStandard(`${MINER_ADDRESS}.v2refusals`);
    const target = u256(channel.opened.target);
    const { client } = channel;
    const good = searchNonce(standardWork(channel), target);
    submitStandard(channel, 1, good);
    await acknowledged(client, 1);

    submitStandard(channel, 2, good);
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 2,
      error_code: 'duplicate-share',
    });
    submitStandard(channel, 3, searchNonce(standardWork(channel), target, 0, true));
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 3,
      error_code: 'difficulty-too-low',
    });
    submitStandard(channel, 4, good, { channel_id: channel.opened.channel_id + 100 });
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 4,
      error_code: 'invalid-channel-id',
    });
    submitStandard(channel, 5, good, { job_id: channel.job.job_id + 1000 });
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 5,
      error_code: 'invalid-job-id',
    });

    // A new block on the network: a future job and the SetNewPrevHash that ends the old ones.
    const old = { ...channel };
    pool.devnode?.chain.addNetworkBlock();
    const next = await client.next('NewMiningJob');
    expect(next.min_ntime).toBeNull();
    const prevHash = await client.next('SetNewPrevHash');
    expect(prevHash.job_id).toBe(next.job_id);
    expect(prevHash.prev_hash.equals(old.prevHash.prev_hash)).toBe(false);
    submitStandard(old, 6, searchNonce(standardWork(old), target, good + 1));
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 6,
      error_code: 'stale-share',
    });
    // The new job takes shares.
    channel.job = next;
    channel.prevHash = prevHash;
    submitStandard(channel, 7, searchNonce(standardWork(channel), target));
    expect((await acknowledged(client, 1)).last_sequence_number).toBe(7);
  });

  it('mines on an extended channel with its own extranonce', async () => {
    const worker = `${MINER_ADDRESS}.v2extended`;
    const client = await connect();
    expect(await client.setup(REQUIRES_VERSION_ROLLING)).toMatchObject({ type: 'SetupConnection.Success' });
    client.send({
      type: 'OpenExtendedMiningChannel',
      request_id: 9,
      user_identity: worker,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
      min_extranonce_size: 4,
    });
    const opened = await client.next('OpenExtendedMiningChannel.Success');
    expect(opened.extranonce_prefix.length).toBe(4);
    expect(opened.extranonce_size).toBe(8);
    const job = await client.next('NewExtendedMiningJob');
    expect(job.version_rolling_allowed).toBe(true);
    const prevHash = await client.next('SetNewPrevHash');
    expect(prevHash.job_id).toBe(job.job_id);
    const target = u256(opened.target);
    for (let sequence = 0; sequence < 3; sequence++) {
      const extranonce = Buffer.alloc(opened.extranonce_size);
      extranonce.writeUInt32BE(sequence + 1, 4);
      // [BIP320] a rolled general-purpose bit, as an ASIC would.
      const version = (job.version | (1 << 13)) >>> 0;
      const work: Work = {
        version,
        prevHash: prevHash.prev_hash,
        merkleRoot: extendedMerkleRoot(job, opened.extranonce_prefix, extranonce),
        ntime: prevHash.min_ntime,
        nbits: prevHash.nbits,
      };
      client.send({
        type: 'SubmitSharesExtended',
        channel_id: opened.channel_id,
        sequence_number: sequence,
        job_id: job.job_id,
        nonce: searchNonce(work, target),
        ntime: work.ntime,
        version,
        extranonce,
      });
    }
    expect((await acknowledged(client, 3)).last_sequence_number).toBe(2);
    expect(client.has('SubmitShares.Error')).toBe(false);
    await eventually(async () => ((await storedShares(worker)).count === 3 ? true : undefined), 'stored');
  });

  it('V1 and V2 miners of one account share one ledger', async () => {
    const v1Worker = `${MINER_ADDRESS}.v1ledger`;
    const v2Worker = `${MINER_ADDRESS}.v2ledger`;
    const v1 = await StratumClient.connect(pool.stratumPort);
    try {
      await v1.subscribeAndAuthorize(v1Worker, 'd=0.000001');
      expect((await v1.mineAndSubmit(v1Worker)).result).toBe(true);
      const channel = await openStandard(v2Worker);
      submitStandard(channel, 0, searchNonce(standardWork(channel), u256(channel.opened.target)));
      await acknowledged(channel.client, 1);
      const [first, second] = await eventually(async () => {
        const both = [await storedShares(v1Worker), await storedShares(v2Worker)];
        return both.every((shares) => shares.count === 1) ? both : undefined;
      }, 'the V1 and the V2 share stored');
      expect(first?.accountId).toBeDefined();
      expect(second?.accountId).toBe(first?.accountId);
    } finally {
      v1.close();
    }
  });

  it('retargets on UpdateChannel within the new max target, and forgets a closed channel', async () => {
    const channel = await openStandard(`${MINER_ADDRESS}.v2update`);
    const { client, opened } = channel;
    const maximum = u256(opened.target) / 4n;
    client.send({
      type: 'UpdateChannel',
      channel_id: opened.channel_id,
      nominal_hash_rate: 0,
      maximum_target: u256Bytes(maximum),
    });
    const retarget = await client.next('SetTarget');
    expect(retarget.channel_id).toBe(opened.channel_id);
    expect(u256(retarget.maximum_target) <= maximum).toBe(true);
    client.send({
      type: 'UpdateChannel',
      channel_id: opened.channel_id + 100,
      nominal_hash_rate: 0,
      maximum_target: ANY_TARGET,
    });
    expect(await client.next('UpdateChannel.Error')).toMatchObject({ error_code: 'invalid-channel-id' });

    // Shares count at the new target.
    submitStandard(channel, 1, searchNonce(standardWork(channel), u256(retarget.maximum_target)));
    await acknowledged(client, 1);
    client.send({ type: 'CloseChannel', channel_id: opened.channel_id, reason_code: 'done' });
    submitStandard(channel, 2, searchNonce(standardWork(channel), u256(retarget.maximum_target), 1 << 20));
    expect(await client.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 2,
      error_code: 'invalid-channel-id',
    });
  });

  it.each([
    ['another protocol', { protocol: 1 }, 0, 'unsupported-protocol'],
    ['versions without 2', { min_version: 3, max_version: 4 }, 0, 'protocol-version-mismatch'],
    ['work selection', {}, REQUIRES_WORK_SELECTION, 'unsupported-feature-flags'],
  ] as const)('refuses SetupConnection asking for %s, and closes', async (_what, overrides, flags, code) => {
    const client = await connect();
    const reply = await client.setup(flags, overrides);
    expect(reply).toMatchObject({ type: 'SetupConnection.Error', error_code: code, flags });
    await client.untilClosed();
  });

  it('refuses a channel for a user that is neither an address nor an account', async () => {
    const client = await connect();
    await client.setup();
    client.send({
      type: 'OpenStandardMiningChannel',
      request_id: 3,
      user_identity: 'nobody.rig1',
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    expect(await client.next('OpenMiningChannel.Error')).toMatchObject({
      request_id: 3,
      error_code: 'unknown-user',
    });
  });

  it('closes a connection that opens a channel before SetupConnection', async () => {
    const client = await connect();
    client.send({
      type: 'OpenStandardMiningChannel',
      request_id: 1,
      user_identity: `${MINER_ADDRESS}.early`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    await client.untilClosed();
    expect(client.has('OpenStandardMiningChannel.Success')).toBe(false);
  });

  it('drops a connection whose frame announces more than the limit, before reading it', async () => {
    const client = await connect();
    await client.setup();
    // SetCustomMiningJob at its largest is 74 274 bytes; this header announces 200 000 and
    // nothing follows it: only a pool that judges the header alone closes at once.
    const header = Buffer.alloc(6);
    header.writeUInt16LE(0x8000, 0);
    header.writeUInt8(0x22, 2);
    header.writeUIntLE(200_000, 3, 3);
    client.sendRaw(client.encryptFrame(header));
    await client.untilClosed();
  });

  it('drops a connection whose ciphertext was tampered with', async () => {
    const client = await connect();
    await client.setup();
    const wire = client.encrypt({
      type: 'OpenStandardMiningChannel',
      request_id: 1,
      user_identity: `${MINER_ADDRESS}.tampered`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    wire[wire.length - 1] = (wire.at(-1) ?? 0) ^ 1;
    client.sendRaw(wire);
    await client.untilClosed();
    expect(client.has('OpenStandardMiningChannel.Success')).toBe(false);
  });

  // Last: it bans this test's address.
  it('bans a V2 miner that keeps sending garbage, from V1 too: the bans are shared', async () => {
    let refused = false;
    for (let attempt = 0; attempt < 4 && !refused; attempt++) {
      try {
        const client = await connect();
        client.sendRaw(Buffer.alloc(64, 0xee));
        await client.untilClosed();
      } catch {
        // The handshake itself was cut off: the address is banned.
        refused = true;
      }
    }
    expect(refused).toBe(true);
    const v1 = await StratumClient.connect(pool.stratumPort);
    await v1.waitForClose();
  });
});

describe('a block found over Stratum V2', () => {
  let pool: TestPool | undefined;
  afterAll(async () => {
    await pool?.stop();
  });

  it('reaches the devchain, and the miner is asked to reconnect when the pool stops', async () => {
    // Network difficulty equal to the share difficulty: every share is a block.
    const started = await startTestPool({
      HASHWATT_STRATUM_V2_PORT: '0',
      HASHWATT_DEVCHAIN_DIFFICULTY: '0.000001',
    });
    pool = started;
    const authority = readCertificateFile(
      path.join(started.dataDir, 'sv2-certificate.json'),
    ).authorityPublicKey;
    const client = await Sv2Client.connect(started.sv2Port ?? 0, authority);
    await client.setup(REQUIRES_STANDARD_JOBS);
    client.send({
      type: 'OpenStandardMiningChannel',
      request_id: 1,
      user_identity: `${MINER_ADDRESS}.v2block`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    const opened = await client.next('OpenStandardMiningChannel.Success');
    const job = await client.next('NewMiningJob');
    const prevHash = await client.next('SetNewPrevHash');
    const chain = started.devnode?.chain;
    const height = chain?.height ?? 0;
    const work: Work = {
      version: job.version,
      prevHash: prevHash.prev_hash,
      merkleRoot: job.merkle_root,
      ntime: prevHash.min_ntime,
      nbits: prevHash.nbits,
    };
    client.send({
      type: 'SubmitSharesStandard',
      channel_id: opened.channel_id,
      sequence_number: 0,
      job_id: job.job_id,
      nonce: searchNonce(work, u256(opened.target)),
      ntime: work.ntime,
      version: work.version,
    });
    await client.next('SubmitShares.Success');
    await eventually(() => ((chain?.height ?? 0) > height ? true : undefined), 'the block on the devchain');

    pool = undefined;
    await started.stop();
    expect(await client.next('Reconnect')).toMatchObject({ new_host: '', new_port: 0 });
    client.close();
  });
});
