/**
 * The Job Declaration Server's session and SetCustomMiningJob, without sockets, on a real
 * template (public-pool's testnet3 recording): a declared job set on a work-selection
 * channel, each field that differs from the declaration refused by name, and the bad input
 * a Job Declarator Client can send answered or logged, never thrown.
 */
import { describe, expect, it } from 'vitest';
import { randomTransaction } from '../../dev/devchain/mempool.ts';
import { ANY_TARGET } from '../../../test/helpers/sv2-client.ts';
import {
  declaration,
  declareMiningJob,
  DECLARE_TX_DATA,
  JOB_DECLARATION_PROTOCOL,
  REQUIRES_WORK_SELECTION,
  setCustomMiningJob,
  type ClientTemplate,
} from '../../../test/helpers/sv2-job-declarator.ts';
import { scriptOf, TESTNET_ADDRESS, testEnvironment } from '../../../test/helpers/stratum-env.ts';
import { templateVectors } from '../../../test/helpers/vectors.ts';
import { JobDeclarations, MAX_TOKENS_PER_ADDRESS, MAX_TOKENS_PER_CONNECTION } from './job-declarations.ts';
import { declaredJobAsJob } from './custom-job.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import { Sv2Session, type Sv2Sink } from './session.ts';

const NOW = 1_700_000_000_000;
const EXTRANONCE_SIZE = 12;
const TOKEN_LIFETIME_MS = 600_000;

class Recorder implements Sv2Sink {
  readonly sent: Sv2Message[] = [];
  closedWith: string | undefined;

  send(message: Sv2Message): void {
    this.sent.push(message);
  }

  shareAccepted(): void {
    return;
  }

  close(reason: string): void {
    this.closedWith = reason;
  }

  penalize(): void {
    return;
  }

  last<N extends Sv2Message['type']>(type: N): Extract<Sv2Message, { readonly type: N }> {
    const found = this.sent.findLast(
      (message): message is Extract<Sv2Message, { readonly type: N }> => message.type === type,
    );
    if (!found) {
      throw new Error(`no ${type} was sent; sent: ${this.sent.map((message) => message.type).join(', ')}`);
    }
    return found;
  }
}

const recorded = templateVectors.find((vector) => vector.id.startsWith('public-pool-testnet3'))?.response;
if (!recorded) {
  throw new Error('the public-pool testnet3 template vector is missing');
}
// The recorded getblocktemplate answer with the bits testEnvironment's template has; the client reads the fields it names.
const template = { ...recorded, bits: '1d00ffff' } as unknown as ClientTemplate;

function setup(protocol: number, flags: number): MessageOf<'SetupConnection'> {
  return {
    type: 'SetupConnection',
    protocol,
    min_version: 2,
    max_version: 2,
    flags,
    endpoint_host: 'pool.example',
    endpoint_port: 3336,
    vendor: 'farm',
    hardware_version: '',
    firmware: 'jdc 1',
    device_id: '',
  };
}

/** A PushSolution of nothing: on no previous block, so no block of any job. */
const NO_BLOCK: MessageOf<'PushSolution'> = {
  type: 'PushSolution',
  extranonce: Buffer.alloc(EXTRANONCE_SIZE),
  prev_hash: Buffer.alloc(32),
  nonce: 0,
  ntime: template.curtime,
  nbits: 0x1d00ffff,
  version: template.version,
};

/** A JDS connection's session from `address`, set up in Full-Template mode. */
function jdsConnection(
  env: ReturnType<typeof testEnvironment>['env'],
  address = '192.0.2.1',
  flags = DECLARE_TX_DATA,
): { declarator: Sv2Session; jdc: Recorder } {
  const jdc = new Recorder();
  const declarator = new Sv2Session(env, jdc, address, 'job-declaration');
  declarator.receive(setup(JOB_DECLARATION_PROTOCOL, flags), NOW);
  return { declarator, jdc };
}

function pool(coinbaseOnly = true): {
  declarator: Sv2Session;
  jdc: Recorder;
  miner: Sv2Session;
  mining: Recorder;
  problems: string[];
  env: ReturnType<typeof testEnvironment>['env'];
  clock: { ms: number };
} {
  const { env, log } = testEnvironment();
  const clock = { ms: NOW };
  const withJds = {
    ...env,
    jobDeclarations: new JobDeclarations({
      poolScript: scriptOf(TESTNET_ADDRESS),
      extranonceSize: EXTRANONCE_SIZE,
      tokenLifetimeMs: TOKEN_LIFETIME_MS,
      now: () => clock.ms,
      coinbaseOnly,
    }),
  };
  const { declarator, jdc } = jdsConnection(withJds);
  const mining = new Recorder();
  const miner = new Sv2Session(withJds, mining, '192.0.2.1');
  miner.receive(setup(0, REQUIRES_WORK_SELECTION), NOW);
  return { declarator, jdc, miner, mining, problems: log.problems, env: withJds, clock };
}

/** Allocates a token on `declarator`; undefined when the connection was closed instead. */
function allocate(declarator: Sv2Session, jdc: Recorder, requestId = 1): Buffer | undefined {
  const before = jdc.sent.length;
  declarator.receive(
    { type: 'AllocateMiningJobToken', user_identifier: TESTNET_ADDRESS, request_id: requestId },
    NOW,
  );
  const answer = jdc.sent.slice(before).find((message) => message.type === 'AllocateMiningJobToken.Success');
  return answer?.mining_job_token;
}

/** A declared job's token, declared by the Job Declarator Client session. */
function declare(declarator: Sv2Session, jdc: Recorder): Buffer {
  declarator.receive(
    { type: 'AllocateMiningJobToken', user_identifier: TESTNET_ADDRESS, request_id: 1 },
    NOW,
  );
  const allocated = jdc.last('AllocateMiningJobToken.Success');
  declarator.receive(
    declareMiningJob(
      declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE),
      allocated.mining_job_token,
      2,
    ),
    NOW,
  );
  return jdc.last('DeclareMiningJob.Success').new_mining_job_token;
}

function openExtended(miner: Sv2Session, mining: Recorder): number {
  miner.receive(
    {
      type: 'OpenExtendedMiningChannel',
      request_id: 1,
      user_identity: `${TESTNET_ADDRESS}.rig`,
      nominal_hash_rate: 0,
      max_target: ANY_TARGET,
      min_extranonce_size: 8,
    },
    NOW,
  );
  return mining.last('OpenExtendedMiningChannel.Success').channel_id;
}

describe('SetCustomMiningJob', () => {
  it("sets a declared job on a work-selection channel, which gets none of the pool's", () => {
    const { declarator, jdc, miner, mining } = pool();
    const token = declare(declarator, jdc);
    const channelId = openExtended(miner, mining);
    expect(mining.sent.some((message) => message.type === 'NewExtendedMiningJob')).toBe(false);
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    miner.receive(setCustomMiningJob(declared, channelId, token, 9), NOW);
    expect(mining.last('SetCustomMiningJob.Success')).toMatchObject({ channel_id: channelId, request_id: 9 });
  });

  it('refuses each field that differs from the declaration, by name', () => {
    const { declarator, jdc, miner, mining } = pool();
    const token = declare(declarator, jdc);
    const channelId = openExtended(miner, mining);
    const good = setCustomMiningJob(
      declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE),
      channelId,
      token,
      9,
    );
    const changes: readonly [string, Partial<MessageOf<'SetCustomMiningJob'>>][] = [
      ['prev_hash', { prev_hash: Buffer.alloc(32, 1) }],
      ['nbits', { nbits: good.nbits + 1 }],
      ['version', { version: good.version ^ 1 }],
      ['min_ntime', { min_ntime: 0 }],
      ['coinbase_tx_version', { coinbase_tx_version: 1 }],
      ['coinbase_prefix', { coinbase_prefix: Buffer.from('00', 'hex') }],
      ['coinbase_tx_input_nSequence', { coinbase_tx_input_nSequence: 0 }],
      ['coinbase_tx_outputs', { coinbase_tx_outputs: Buffer.from('00', 'hex') }],
      ['coinbase_tx_locktime', { coinbase_tx_locktime: 7 }],
      ['merkle_path', { merkle_path: [] }],
    ];
    for (const [field, change] of changes) {
      miner.receive({ ...good, ...change }, NOW);
      expect(mining.last('SetCustomMiningJob.Error').error_code).toBe(`invalid-job-param-value-${field}`);
    }
    miner.receive({ ...good, mining_job_token: Buffer.alloc(16) }, NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe('invalid-mining-job-token');
    miner.receive({ ...good, channel_id: channelId + 5 }, NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe('invalid-channel-id');
  });

  it("refuses it on a channel of a connection that mines the pool's jobs", () => {
    const { declarator, jdc } = pool();
    const token = declare(declarator, jdc);
    const { env } = testEnvironment();
    const sink = new Recorder();
    const plain = new Sv2Session(env, sink, '192.0.2.2');
    plain.receive(setup(0, 0), NOW);
    const channelId = openExtended(plain, sink);
    plain.receive(
      setCustomMiningJob(
        declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE),
        channelId,
        token,
        3,
      ),
      NOW,
    );
    expect(sink.last('SetCustomMiningJob.Error').error_code).toBe('invalid-channel-id');
  });
});

describe('the Job Declaration session', () => {
  it('answers transactions nobody asked for, or too few, with an error', () => {
    const { declarator, jdc } = pool();
    declarator.receive(
      { type: 'ProvideMissingTransactions.Success', request_id: 40, transaction_list: [] },
      NOW,
    );
    expect(jdc.last('DeclareMiningJob.Error')).toMatchObject({
      request_id: 40,
      error_code: 'invalid-job-param-value-request_id',
    });
    declarator.receive(
      { type: 'AllocateMiningJobToken', user_identifier: TESTNET_ADDRESS, request_id: 1 },
      NOW,
    );
    const token = jdc.last('AllocateMiningJobToken.Success').mining_job_token;
    const unseen = randomTransaction().raw;
    declarator.receive(
      declareMiningJob(
        declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE, [unseen]),
        token,
        41,
      ),
      NOW,
    );
    expect(jdc.last('ProvideMissingTransactions').request_id).toBe(41);
    declarator.receive(
      { type: 'ProvideMissingTransactions.Success', request_id: 41, transaction_list: [] },
      NOW,
    );
    expect(jdc.last('DeclareMiningJob.Error')).toMatchObject({
      request_id: 41,
      error_code: 'invalid-job-param-value-transaction_list',
    });
  });

  it('refuses a token that has expired, and keeps one used within its lifetime', () => {
    const { declarator, jdc, clock } = pool();
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    const kept = allocate(declarator, jdc, 1) ?? Buffer.alloc(0);
    clock.ms = NOW + TOKEN_LIFETIME_MS / 2;
    const expiring = allocate(declarator, jdc, 2) ?? Buffer.alloc(0);
    clock.ms = NOW + TOKEN_LIFETIME_MS - 1;
    declarator.receive(declareMiningJob(declared, kept, 70), NOW);
    expect(jdc.last('DeclareMiningJob.Success').request_id).toBe(70);
    clock.ms = NOW + TOKEN_LIFETIME_MS / 2 + TOKEN_LIFETIME_MS;
    declarator.receive(declareMiningJob(declared, expiring, 71), NOW);
    expect(jdc.last('DeclareMiningJob.Error')).toMatchObject({
      request_id: 71,
      error_code: 'invalid-mining-job-token',
    });
  });

  it('lets a declared job go once its lifetime is over: SetCustomMiningJob no longer finds it', () => {
    const { declarator, jdc, miner, mining, clock } = pool();
    const token = declare(declarator, jdc);
    const channelId = openExtended(miner, mining);
    clock.ms = NOW + TOKEN_LIFETIME_MS;
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    miner.receive(setCustomMiningJob(declared, channelId, token, 9), NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe('invalid-mining-job-token');
  });

  it("refuses a connection's allocation past its cap by closing it, and the others' tokens still serve", () => {
    const { declarator, jdc, env } = pool();
    const other = jdsConnection(env, '198.51.100.7');
    const othersToken = allocate(other.declarator, other.jdc) ?? Buffer.alloc(0);
    const tokens: Buffer[] = [];
    for (let request = 0; request < MAX_TOKENS_PER_CONNECTION; request++) {
      tokens.push(allocate(declarator, jdc, request) ?? Buffer.alloc(0));
    }
    expect(jdc.closedWith).toBeUndefined();
    expect(allocate(declarator, jdc, 99)).toBeUndefined();
    expect(jdc.closedWith).toMatch(
      new RegExp(
        `AllocateMiningJobToken refused: this connection holds ${String(MAX_TOKENS_PER_CONNECTION)} tokens`,
      ),
    );
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    declarator.receive(declareMiningJob(declared, tokens[0] ?? Buffer.alloc(0), 70), NOW);
    expect(jdc.last('DeclareMiningJob.Success').request_id).toBe(70);
    other.declarator.receive(declareMiningJob(declared, othersToken, 71), NOW);
    expect(other.jdc.last('DeclareMiningJob.Success').request_id).toBe(71);
  });

  it("makes room by forgetting the connection's own oldest declared job, never another's", () => {
    const { declarator, jdc, miner, mining, env } = pool();
    const other = jdsConnection(env, '198.51.100.7');
    const othersJob = declare(other.declarator, other.jdc);
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    const ownJobs: Buffer[] = [];
    for (let request = 0; request <= MAX_TOKENS_PER_CONNECTION; request++) {
      const token = allocate(declarator, jdc, request) ?? Buffer.alloc(0);
      declarator.receive(declareMiningJob(declared, token, request), NOW);
      ownJobs.push(jdc.last('DeclareMiningJob.Success').new_mining_job_token);
    }
    expect(jdc.closedWith).toBeUndefined();
    const channelId = openExtended(miner, mining);
    miner.receive(setCustomMiningJob(declared, channelId, ownJobs[0] ?? Buffer.alloc(0), 1), NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe('invalid-mining-job-token');
    for (const [requestId, token] of [
      [2, ownJobs[1]],
      [3, othersJob],
    ] as const) {
      miner.receive(setCustomMiningJob(declared, channelId, token ?? Buffer.alloc(0), requestId), NOW);
      expect(mining.last('SetCustomMiningJob.Success').request_id).toBe(requestId);
    }
  });

  it('caps the tokens of all the connections from one address, and not those of another address', () => {
    const { env } = pool();
    const connections = MAX_TOKENS_PER_ADDRESS / MAX_TOKENS_PER_CONNECTION;
    for (let index = 0; index < connections; index++) {
      const { declarator, jdc } = jdsConnection(env, '203.0.113.9');
      for (let request = 0; request < MAX_TOKENS_PER_CONNECTION; request++) {
        allocate(declarator, jdc, request);
      }
      expect(jdc.closedWith).toBeUndefined();
    }
    const one = jdsConnection(env, '203.0.113.9');
    expect(allocate(one.declarator, one.jdc)).toBeUndefined();
    expect(one.jdc.closedWith).toMatch(/connections from 203\.0\.113\.9 hold 1024 tokens/);
    const elsewhere = jdsConnection(env, '203.0.113.10');
    expect(allocate(elsewhere.declarator, elsewhere.jdc)).toBeInstanceOf(Buffer);
  });

  it('refuses a token allocated on another connection', () => {
    const { declarator, jdc, env } = pool();
    const other = jdsConnection(env);
    const stolen = allocate(declarator, jdc) ?? Buffer.alloc(0);
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    other.declarator.receive(declareMiningJob(declared, stolen, 72), NOW);
    expect(other.jdc.last('DeclareMiningJob.Error').error_code).toBe('invalid-mining-job-token');
  });

  it('logs a PushSolution with no declared job, or that is no block, and closes on a Mining message', () => {
    const { declarator, jdc, problems } = pool();
    const solution = NO_BLOCK;
    declarator.receive(solution, NOW);
    expect(problems).toHaveLength(1);
    declare(declarator, jdc);
    declarator.receive(
      { ...solution, prev_hash: Buffer.from(template.previousblockhash, 'hex').reverse() },
      NOW,
    );
    expect(problems).toHaveLength(2);
    expect(jdc.closedWith).toBeUndefined();
    declarator.receive({ type: 'CloseChannel', channel_id: 1, reason_code: '' }, NOW);
    expect(jdc.closedWith).toMatch(/not a message a Job Declarator Client sends/);
  });
});

describe('Coinbase-only mode [sv2 6.3.1]', () => {
  /** A Coinbase-only connection's token, and the pool's V2 miner with a work-selection channel. */
  function coinbaseOnly(): ReturnType<typeof pool> & { token: Buffer; channelId: number } {
    const setUp = pool();
    const { declarator, jdc } = jdsConnection(setUp.env, '192.0.2.1', 0);
    expect(jdc.last('SetupConnection.Success').used_version).toBe(2);
    const token = allocate(declarator, jdc) ?? Buffer.alloc(0);
    return { ...setUp, declarator, jdc, token, channelId: openExtended(setUp.miner, setUp.mining) };
  }

  it('sets a job under an allocated token, never asking for its transactions; the token then names that job', () => {
    const { jdc, miner, mining, token, channelId } = coinbaseOnly();
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    miner.receive(setCustomMiningJob(declared, channelId, token, 9), NOW);
    expect(mining.last('SetCustomMiningJob.Success').request_id).toBe(9);
    expect(jdc.sent.map((message) => message.type)).toEqual([
      'SetupConnection.Success',
      'AllocateMiningJobToken.Success',
    ]);
    const again = setCustomMiningJob(declared, channelId, token, 10);
    miner.receive({ ...again, coinbase_tx_locktime: 7 }, NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe(
      'invalid-job-param-value-coinbase_tx_locktime',
    );
    miner.receive(again, NOW);
    expect(mining.last('SetCustomMiningJob.Success').request_id).toBe(10);
  });

  it("refuses a coinbase that does not pay the pool the subsidy, or lacks the block's height", () => {
    const { miner, mining, token, channelId } = coinbaseOnly();
    const elsewhere = declaration(template, scriptOf(TESTNET_ADDRESS).subarray(1), EXTRANONCE_SIZE);
    miner.receive(setCustomMiningJob(elsewhere, channelId, token, 1), NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe(
      'invalid-job-param-value-coinbase_tx_outputs',
    );
    const good = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    const [poolOutput, ...rest] = good.outputs;
    const short = {
      ...good,
      outputs: [{ script: poolOutput?.script ?? Buffer.alloc(0), value: 1n }, ...rest],
    };
    miner.receive(setCustomMiningJob(short, channelId, token, 2), NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe(
      'invalid-job-param-value-coinbase_tx_outputs',
    );
    miner.receive(
      setCustomMiningJob({ ...good, scriptSigPrefix: Buffer.from('5100', 'hex') }, channelId, token, 3),
      NOW,
    );
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe(
      'invalid-job-param-value-coinbase_prefix',
    );
    // Refusals leave the token unused: the right job still goes through.
    miner.receive(setCustomMiningJob(good, channelId, token, 4), NOW);
    expect(mining.last('SetCustomMiningJob.Success').request_id).toBe(4);
  });

  it('marks the job as one whose block the pool cannot build: its transactions were withheld', () => {
    const { env, miner, mining, token, channelId } = coinbaseOnly();
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    miner.receive(setCustomMiningJob(declared, channelId, token, 9), NOW);
    expect(mining.last('SetCustomMiningJob.Success').request_id).toBe(9);
    const found = env.jobDeclarations?.customJob(token);
    expect(found).toMatchObject({ kind: 'declared', job: { mode: 'coinbase-only' } });
    if (found?.kind !== 'declared') {
      return;
    }
    const job = declaredJobAsJob('1', found.job, template.version, template.curtime, 8);
    expect(job.template).toMatchObject({ transactionsWithheld: true, transactions: [] });
    expect(job.template.merkleBranch).toEqual(setCustomMiningJob(declared, channelId, token, 9).merkle_path);
  });

  it('closes a Coinbase-only connection that declares, provides transactions or pushes a solution', () => {
    for (const message of [
      declareMiningJob(
        declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE),
        Buffer.alloc(16),
        1,
      ),
      { type: 'ProvideMissingTransactions.Success', request_id: 1, transaction_list: [] } as const,
      NO_BLOCK,
    ]) {
      const { declarator, jdc } = coinbaseOnly();
      declarator.receive(message, NOW);
      expect(jdc.closedWith).toBe(
        `${message.type} on a Coinbase-only connection: it needs DECLARE_TX_DATA in SetupConnection`,
      );
    }
  });

  it('is refused at SetupConnection when the pool takes Full-Template jobs only, and a Full-Template token sets no job', () => {
    const { env, miner, mining } = pool(false);
    const refused = jdsConnection(env, '192.0.2.1', 0);
    expect(refused.jdc.last('SetupConnection.Error')).toMatchObject({
      error_code: 'unsupported-feature-flags',
      flags: DECLARE_TX_DATA,
    });
    const { declarator, jdc } = jdsConnection(env);
    const fullTemplateToken = allocate(declarator, jdc) ?? Buffer.alloc(0);
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    miner.receive(setCustomMiningJob(declared, openExtended(miner, mining), fullTemplateToken, 5), NOW);
    expect(mining.last('SetCustomMiningJob.Error').error_code).toBe('invalid-mining-job-token');
  });
});
