/**
 * Stratum V2's Job Declaration Server on a whole pool started in-process (the devchain, the
 * Stratum thread, a real PostgreSQL), over real sockets: the Job Declarator Client of
 * helpers/sv2-job-declarator.ts declares templates it takes from the devchain on the JDS
 * port, mines them through SetCustomMiningJob on the V2 port with the miner of
 * helpers/sv2-client.ts, and its shares reach the database; the refusals of a coinbase that
 * does not pay the pool, of spent and unknown tokens and of a stale previous block; missing
 * transactions asked for and provided; a block found on a declared job taken by the devchain.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Transaction } from 'bitcoinjs-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomTransaction } from '../../src/dev/devchain/mempool.ts';
import { readCertificateFile } from '../../src/stratum/v2/noise-keys.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS, startTestPool, type TestPool } from '../helpers/pool.ts';
import { ANY_TARGET, headerOf, searchNonce, Sv2Client, u256, type Work } from '../helpers/sv2-client.ts';
import {
  customMerkleRoot,
  declaration,
  declaredBlock,
  declareMiningJob,
  JOB_DECLARATION_PROTOCOL,
  poolScriptOf,
  REQUIRES_WORK_SELECTION,
  setCustomMiningJob,
  setupJobDeclaration,
  type ClientTemplate,
  type Declaration,
} from '../helpers/sv2-job-declarator.ts';

/** The pool's full extended extranonce: 4 bytes of extranonce1, 8 of extranonce2 (the default). */
const EXTRANONCE_SIZE = 12;
/** A P2WPKH script that is not the pool's. */
const SOMEONE_ELSE = Buffer.concat([Buffer.from([0x00, 0x14]), Buffer.alloc(20, 0x42)]);

interface Farm {
  readonly pool: TestPool;
  readonly authority: Buffer;
  readonly clients: Sv2Client[];
}

async function startFarmPool(settings: Record<string, string> = {}): Promise<Farm> {
  const pool = await startTestPool({
    HASHWATT_STRATUM_V2_PORT: '0',
    HASHWATT_STRATUM_JDS_PORT: '0',
    HASHWATT_STRATUM_LINE_TIMEOUT_SECONDS: '600',
    // A still mempool: the template the farm's node gives is the one the pool holds.
    HASHWATT_DEVCHAIN_TRANSACTION_SECONDS: '0',
    ...settings,
  });
  const authority = readCertificateFile(path.join(pool.dataDir, 'sv2-certificate.json')).authorityPublicKey;
  return { pool, authority, clients: [] };
}

async function connect(farm: Farm, port: number | undefined): Promise<Sv2Client> {
  const client = await Sv2Client.connect(port ?? 0, farm.authority);
  farm.clients.push(client);
  return client;
}

/** The Job Declarator Client's connection, with a token and the pool's payout script. */
async function declarator(
  farm: Farm,
): Promise<{ client: Sv2Client; poolScript: Buffer; token: () => Promise<Buffer> }> {
  const client = await connect(farm, farm.pool.jdsPort);
  expect(await setupJobDeclaration(client)).toMatchObject({
    type: 'SetupConnection.Success',
    used_version: 2,
  });
  let requestId = 0;
  const token = async (): Promise<Buffer> => {
    client.send({
      type: 'AllocateMiningJobToken',
      user_identifier: `${MINER_ADDRESS}.farm`,
      request_id: ++requestId,
    });
    const success = await client.next('AllocateMiningJobToken.Success');
    expect(success.request_id).toBe(requestId);
    return success.mining_job_token;
  };
  client.send({ type: 'AllocateMiningJobToken', user_identifier: `${MINER_ADDRESS}.farm`, request_id: 0 });
  const first = await client.next('AllocateMiningJobToken.Success');
  return { client, poolScript: poolScriptOf(first), token };
}

/** The devchain's template as the farm's own node would give it (the pool fetches the same). */
function nodeTemplate(farm: Farm): ClientTemplate {
  const chain = farm.pool.devnode?.chain;
  if (!chain) {
    throw new Error('the test pool runs no devchain');
  }
  // The devchain answers in getblocktemplate's shape; the client reads the fields it names.
  return chain.blockTemplate() as unknown as ClientTemplate;
}

/** A mining connection that selects its work, with one extended channel. */
async function customChannel(
  farm: Farm,
  worker: string,
): Promise<{ client: Sv2Client; opened: { channel_id: number; target: Buffer; extranonce_prefix: Buffer } }> {
  const client = await connect(farm, farm.pool.sv2Port);
  expect(await client.setup(REQUIRES_WORK_SELECTION)).toMatchObject({ type: 'SetupConnection.Success' });
  client.send({
    type: 'OpenExtendedMiningChannel',
    request_id: 1,
    user_identity: worker,
    nominal_hash_rate: 0,
    max_target: ANY_TARGET,
    min_extranonce_size: 8,
  });
  const opened = await client.next('OpenExtendedMiningChannel.Success');
  expect(opened.extranonce_prefix.length + opened.extranonce_size).toBe(EXTRANONCE_SIZE);
  return { client, opened };
}

/** Declares `declared` and sets it on the channel; the job id the pool gave it. */
async function declareAndSet(
  jdc: Sv2Client,
  token: Buffer,
  miner: Sv2Client,
  channelId: number,
  declared: Declaration,
): Promise<number> {
  jdc.send(declareMiningJob(declared, token, 11));
  const success = await jdc.next('DeclareMiningJob.Success');
  expect(success.request_id).toBe(11);
  miner.send(setCustomMiningJob(declared, channelId, success.new_mining_job_token, 21));
  const set = await miner.next('SetCustomMiningJob.Success');
  expect(set).toMatchObject({ channel_id: channelId, request_id: 21 });
  return set.job_id;
}

/** Submits a share on the declared job; the header it was found with and the full extranonce. */
function submitOn(
  miner: Sv2Client,
  channel: { channel_id: number; target: Buffer; extranonce_prefix: Buffer },
  declared: Declaration,
  jobId: number,
  sequence: number,
): { header: Buffer; fullExtranonce: Buffer } {
  const extranonce = Buffer.alloc(8);
  extranonce.writeUInt32BE(sequence, 4);
  const work: Work = {
    version: declared.template.version,
    prevHash: Buffer.from(declared.template.previousblockhash, 'hex').reverse(),
    merkleRoot: customMerkleRoot(declared, channel.extranonce_prefix, extranonce),
    ntime: declared.template.curtime,
    nbits: Number.parseInt(declared.template.bits, 16),
  };
  const nonce = searchNonce(work, u256(channel.target));
  miner.send({
    type: 'SubmitSharesExtended',
    channel_id: channel.channel_id,
    sequence_number: sequence,
    job_id: jobId,
    nonce,
    ntime: work.ntime,
    version: work.version,
    extranonce,
  });
  return {
    header: headerOf(work, nonce),
    fullExtranonce: Buffer.concat([channel.extranonce_prefix, extranonce]),
  };
}

describe('the Job Declaration Server', () => {
  let farm: Farm;

  beforeAll(async () => {
    farm = await startFarmPool();
  });

  afterAll(async () => {
    for (const client of farm.clients) {
      client.close();
    }
    await farm.pool.stop();
  });

  it('accepts a declared job, and its shares through SetCustomMiningJob reach the ledger', async () => {
    const worker = `${MINER_ADDRESS}.declared`;
    const jdc = await declarator(farm);
    const { client: miner, opened } = await customChannel(farm, worker);
    // A connection that selects its work is sent no pool job.
    expect(miner.has('NewExtendedMiningJob')).toBe(false);
    const declared = declaration(nodeTemplate(farm), jdc.poolScript, EXTRANONCE_SIZE);
    expect(declared.transactions.length).toBeGreaterThan(0);
    const jobId = await declareAndSet(jdc.client, await jdc.token(), miner, opened.channel_id, declared);
    submitOn(miner, opened, declared, jobId, 0);
    submitOn(miner, opened, declared, jobId, 1);
    let accepted = 0;
    while (accepted < 2) {
      accepted += (await miner.next('SubmitShares.Success')).new_submits_accepted_count;
    }
    expect(miner.has('SubmitShares.Error')).toBe(false);
    const stored = await eventually(async () => {
      const { rows } = await farm.pool.db.query<{ count: number }>(
        'SELECT count(*)::int AS count FROM shares s JOIN workers w ON w.id = s.worker_id WHERE w.name = $1',
        [worker],
      );
      return rows[0]?.count === 2 ? rows[0].count : undefined;
    }, 'the shares of the declared job stored');
    expect(stored).toBe(2);
  });

  it('refuses a coinbase that does not pay the pool, a spent token and an unknown one', async () => {
    const jdc = await declarator(farm);
    const template = nodeTemplate(farm);
    const token = await jdc.token();
    jdc.client.send(declareMiningJob(declaration(template, SOMEONE_ELSE, EXTRANONCE_SIZE), token, 31));
    const notPaid = await jdc.client.next('DeclareMiningJob.Error');
    expect(notPaid).toMatchObject({
      request_id: 31,
      error_code: 'invalid-job-param-value-coinbase_tx_suffix',
    });
    expect(notPaid.error_details.toString()).toMatch(/pool/);

    // The token was spent by the refused declaration: a valid one under it is refused too.
    jdc.client.send(declareMiningJob(declaration(template, jdc.poolScript, EXTRANONCE_SIZE), token, 32));
    expect(await jdc.client.next('DeclareMiningJob.Error')).toMatchObject({
      request_id: 32,
      error_code: 'invalid-mining-job-token',
    });

    const { client: miner, opened } = await customChannel(farm, `${MINER_ADDRESS}.unknown-token`);
    miner.send(
      setCustomMiningJob(
        declaration(template, jdc.poolScript, EXTRANONCE_SIZE),
        opened.channel_id,
        Buffer.alloc(16, 7),
        41,
      ),
    );
    expect(await miner.next('SetCustomMiningJob.Error')).toMatchObject({
      request_id: 41,
      error_code: 'invalid-mining-job-token',
    });
  });

  it('asks for the transactions its node has not seen, and accepts the job once they are provided', async () => {
    const jdc = await declarator(farm);
    const template = nodeTemplate(farm);
    // Bigger than any Mining-protocol frame: the JDS port takes whole transactions.
    const large = Transaction.fromBuffer(randomTransaction().raw);
    large.setWitness(0, [Buffer.alloc(200_000, 1), Buffer.alloc(33, 2)]);
    const unseen = Buffer.from(large.toBuffer());
    const declared = declaration(template, jdc.poolScript, EXTRANONCE_SIZE, [unseen]);
    jdc.client.send(declareMiningJob(declared, await jdc.token(), 51));
    const asked = await jdc.client.next('ProvideMissingTransactions');
    expect(asked).toMatchObject({ request_id: 51, unknown_tx_position_list: [template.transactions.length] });
    jdc.client.send({
      type: 'ProvideMissingTransactions.Success',
      request_id: 51,
      transaction_list: [unseen],
    });
    expect(await jdc.client.next('DeclareMiningJob.Success')).toMatchObject({ request_id: 51 });

    // Another transaction in its place is refused.
    jdc.client.send(declareMiningJob(declared, await jdc.token(), 52));
    await jdc.client.next('ProvideMissingTransactions');
    jdc.client.send({
      type: 'ProvideMissingTransactions.Success',
      request_id: 52,
      transaction_list: [randomTransaction().raw],
    });
    expect(await jdc.client.next('DeclareMiningJob.Error')).toMatchObject({
      request_id: 52,
      error_code: 'invalid-job-param-value-transaction_list',
    });
  });

  it('refuses a client that would not reveal its transactions, an unknown user and a Mining message', async () => {
    const coinbaseOnly = await connect(farm, farm.pool.jdsPort);
    expect(await coinbaseOnly.setup(0, { protocol: 1 })).toMatchObject({
      type: 'SetupConnection.Error',
      flags: 1,
      error_code: 'unsupported-feature-flags',
    });
    const mining = await connect(farm, farm.pool.jdsPort);
    expect(await mining.setup()).toMatchObject({
      type: 'SetupConnection.Error',
      error_code: 'unsupported-protocol',
    });

    const stranger = await connect(farm, farm.pool.jdsPort);
    await setupJobDeclaration(stranger);
    stranger.send({ type: 'AllocateMiningJobToken', user_identifier: 'not-an-address', request_id: 1 });
    await stranger.untilClosed();
    expect(stranger.has('AllocateMiningJobToken.Success')).toBe(false);

    const confused = await connect(farm, farm.pool.jdsPort);
    await setupJobDeclaration(confused);
    confused.send({
      type: 'OpenStandardMiningChannel',
      request_id: 1,
      user_identity: `${MINER_ADDRESS}.confused`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    await confused.untilClosed();
    expect(confused.has('OpenStandardMiningChannel.Success')).toBe(false);
  });

  it('refuses a declared job once the network has moved past its previous block, and its shares as stale', async () => {
    const jdc = await declarator(farm);
    const { client: miner, opened } = await customChannel(farm, `${MINER_ADDRESS}.stale`);
    const declared = declaration(nodeTemplate(farm), jdc.poolScript, EXTRANONCE_SIZE);
    const jobId = await declareAndSet(jdc.client, await jdc.token(), miner, opened.channel_id, declared);
    jdc.client.send(declareMiningJob(declared, await jdc.token(), 61));
    const second = await jdc.client.next('DeclareMiningJob.Success');

    // A pool miner on the V2 port hears of the new block: the pool's template has moved on.
    const watcher = await connect(farm, farm.pool.sv2Port);
    await watcher.setup();
    watcher.send({
      type: 'OpenStandardMiningChannel',
      request_id: 1,
      user_identity: `${MINER_ADDRESS}.watcher`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
    });
    const before = await watcher.next('SetNewPrevHash');
    farm.pool.devnode?.chain.addNetworkBlock();
    const after = await watcher.next('SetNewPrevHash');
    expect(after.prev_hash.equals(before.prev_hash)).toBe(false);

    miner.send(setCustomMiningJob(declared, opened.channel_id, second.new_mining_job_token, 62));
    expect(await miner.next('SetCustomMiningJob.Error')).toMatchObject({
      request_id: 62,
      error_code: 'invalid-job-param-value-prev_hash',
    });
    submitOn(miner, opened, declared, jobId, 3);
    expect(await miner.next('SubmitShares.Error')).toMatchObject({
      sequence_number: 3,
      error_code: 'stale-share',
    });
  });
});

/** Waits until the pool mines on the devchain's tip: a V2 pool miner hears it in SetNewPrevHash. */
async function poolAtTip(farm: Farm): Promise<void> {
  const tip = Buffer.from(farm.pool.devnode?.chain.tip.hash ?? '', 'hex').reverse();
  const watcher = await connect(farm, farm.pool.sv2Port);
  await watcher.setup();
  watcher.send({
    type: 'OpenStandardMiningChannel',
    request_id: 1,
    user_identity: `${MINER_ADDRESS}.tip-watcher`,
    nominal_hash_rate: 0,
    max_target: ANY_TARGET,
  });
  while (!(await watcher.next('SetNewPrevHash')).prev_hash.equals(tip)) {
    // An earlier block's job: the next SetNewPrevHash is the pool catching up.
  }
  watcher.close();
}

/** [consensus] nbits as the target it encodes. */
function targetOfBits(bits: number): bigint {
  return BigInt(bits & 0x7fffff) * 256n ** BigInt((bits >>> 24) - 3);
}

describe('a block found on a declared job', () => {
  let farm: Farm;

  beforeAll(async () => {
    // Network difficulty equal to the share difficulty: every share is a block.
    farm = await startFarmPool({ HASHWATT_DEVCHAIN_DIFFICULTY: '0.000001' });
  });

  afterAll(async () => {
    for (const client of farm.clients) {
      client.close();
    }
    await farm.pool.stop();
  });

  const recordedReward = async (height: number): Promise<bigint> => {
    const recorded = await eventually(
      async () => {
        const { rows } = await farm.pool.db.query<{ reward: string }>(
          'SELECT reward::text FROM blocks WHERE height = $1',
          [height],
        );
        return rows[0];
      },
      `the block at ${String(height)} recorded`,
    );
    return BigInt(recorded.reward);
  };

  it('reaches the devchain with the declared transactions when a share on it is one', async () => {
    await poolAtTip(farm);
    const chain = farm.pool.devnode?.chain;
    const height = chain?.height ?? 0;
    const jdc = await declarator(farm);
    const { client: miner, opened } = await customChannel(farm, `${MINER_ADDRESS}.finder`);
    const declared = declaration(nodeTemplate(farm), jdc.poolScript, EXTRANONCE_SIZE);
    const jobId = await declareAndSet(jdc.client, await jdc.token(), miner, opened.channel_id, declared);
    submitOn(miner, opened, declared, jobId, 0);
    await miner.next('SubmitShares.Success');
    const block = await eventually(
      () => ((chain?.height ?? 0) > height ? chain?.blockAt(height + 1) : undefined),
      'the block on the devchain',
    );
    expect(block.txids.length).toBe(declared.transactions.length + 1);
    expect(await recordedReward(height + 1)).toBe(BigInt(declared.template.coinbasevalue));
  });

  it('reaches the devchain when the Job Declarator Client pushes the solution', async () => {
    await poolAtTip(farm);
    const chain = farm.pool.devnode?.chain;
    const height = chain?.height ?? 0;
    const jdc = await declarator(farm);
    const declared = declaration(nodeTemplate(farm), jdc.poolScript, EXTRANONCE_SIZE);
    jdc.client.send(declareMiningJob(declared, await jdc.token(), 71));
    await jdc.client.next('DeclareMiningJob.Success');
    const extranonce = Buffer.alloc(EXTRANONCE_SIZE, 0x5a);
    const work: Work = {
      version: declared.template.version,
      prevHash: Buffer.from(declared.template.previousblockhash, 'hex').reverse(),
      merkleRoot: customMerkleRoot(declared, Buffer.alloc(0), extranonce),
      ntime: declared.template.curtime,
      nbits: Number.parseInt(declared.template.bits, 16),
    };
    jdc.client.send({
      type: 'PushSolution',
      extranonce,
      prev_hash: work.prevHash,
      nonce: searchNonce(work, targetOfBits(work.nbits)),
      ntime: work.ntime,
      nbits: work.nbits,
      version: work.version,
    });
    const block = await eventually(
      () => ((chain?.height ?? 0) > height ? chain?.blockAt(height + 1) : undefined),
      'the pushed block on the devchain',
    );
    expect(block.txids.length).toBe(declared.transactions.length + 1);
    expect(await recordedReward(height + 1)).toBe(BigInt(declared.template.coinbasevalue));
  });
});

describe('Coinbase-only mode [sv2 6.3.1]', () => {
  let farm: Farm;

  beforeAll(async () => {
    // Every share is a block, as above.
    farm = await startFarmPool({
      HASHWATT_DEVCHAIN_DIFFICULTY: '0.000001',
      HASHWATT_STRATUM_JDS_COINBASE_ONLY: 'true',
    });
  });

  afterAll(async () => {
    for (const client of farm.clients) {
      client.close();
    }
    await farm.pool.stop();
  });

  it("mines a job whose transactions the pool never sees; its block, the client's to broadcast, is watched for and booked", async () => {
    await poolAtTip(farm);
    const chain = farm.pool.devnode?.chain;
    const height = chain?.height ?? 0;
    const jdc = await connect(farm, farm.pool.jdsPort);
    expect(await jdc.setup(0, { protocol: JOB_DECLARATION_PROTOCOL })).toMatchObject({
      type: 'SetupConnection.Success',
    });
    jdc.send({ type: 'AllocateMiningJobToken', user_identifier: `${MINER_ADDRESS}.farm`, request_id: 1 });
    const allocated = await jdc.next('AllocateMiningJobToken.Success');
    const declared = declaration(nodeTemplate(farm), poolScriptOf(allocated), EXTRANONCE_SIZE);
    expect(declared.transactions.length).toBeGreaterThan(0);
    const { client: miner, opened } = await customChannel(farm, `${MINER_ADDRESS}.withheld`);
    miner.send(setCustomMiningJob(declared, opened.channel_id, allocated.mining_job_token, 21));
    const set = await miner.next('SetCustomMiningJob.Success');
    const found = submitOn(miner, opened, declared, set.job_id, 0);
    await miner.next('SubmitShares.Success');
    // The pool keeps the block to watch for, with no bytes to offer: it cannot build it.
    const pendingFolder = path.join(farm.pool.dataDir, 'blocks-pending', 'node-0');
    const kept = await eventually(async () => {
      const names = await readdir(pendingFolder).catch(() => []);
      const [name] = names;
      return name === undefined
        ? undefined
        : (JSON.parse(await readFile(path.join(pendingFolder, name), 'utf8')) as { blockHex: string });
    }, 'the found block kept pending');
    expect(kept.blockHex).toBe('');
    expect(chain?.height).toBe(height);
    expect(chain?.submitBlock(declaredBlock(declared, found.fullExtranonce, found.header))).toBeNull();
    const recorded = await eventually(async () => {
      const { rows } = await farm.pool.db.query<{ reward: string; status: string }>(
        'SELECT reward::text, status FROM blocks WHERE height = $1',
        [height + 1],
      );
      return rows[0];
    }, 'the broadcast block booked');
    // Accepted on the chain, now maturing; a block the node refused would be 'rejected'.
    expect(recorded).toEqual({ reward: String(declared.template.coinbasevalue), status: 'pending' });
  });
});
