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
import { MAX_TOKENS_PER_CONNECTION } from './jd-session.ts';
import { JobDeclarations } from './job-declarations.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import { Sv2Session, type Sv2Sink } from './session.ts';

const NOW = 1_700_000_000_000;
const EXTRANONCE_SIZE = 12;

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

function pool(): {
  declarator: Sv2Session;
  jdc: Recorder;
  miner: Sv2Session;
  mining: Recorder;
  problems: string[];
} {
  const { env, log } = testEnvironment();
  const withJds = {
    ...env,
    jobDeclarations: new JobDeclarations({
      poolScript: scriptOf(TESTNET_ADDRESS),
      extranonceSize: EXTRANONCE_SIZE,
    }),
  };
  const jdc = new Recorder();
  const declarator = new Sv2Session(withJds, jdc, '192.0.2.1', 'job-declaration');
  declarator.receive(setup(JOB_DECLARATION_PROTOCOL, DECLARE_TX_DATA), NOW);
  const mining = new Recorder();
  const miner = new Sv2Session(withJds, mining, '192.0.2.1');
  miner.receive(setup(0, REQUIRES_WORK_SELECTION), NOW);
  return { declarator, jdc, miner, mining, problems: log.problems };
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

  it("forgets a connection's oldest tokens once it holds more than its share", () => {
    const { declarator, jdc } = pool();
    const declared = declaration(template, scriptOf(TESTNET_ADDRESS), EXTRANONCE_SIZE);
    const tokens: Buffer[] = [];
    for (let request = 0; request <= MAX_TOKENS_PER_CONNECTION; request++) {
      declarator.receive(
        { type: 'AllocateMiningJobToken', user_identifier: TESTNET_ADDRESS, request_id: request },
        NOW,
      );
      tokens.push(jdc.last('AllocateMiningJobToken.Success').mining_job_token);
    }
    declarator.receive(declareMiningJob(declared, tokens[0] ?? Buffer.alloc(0), 70), NOW);
    expect(jdc.last('DeclareMiningJob.Error')).toMatchObject({
      request_id: 70,
      error_code: 'invalid-mining-job-token',
    });
    declarator.receive(declareMiningJob(declared, tokens[1] ?? Buffer.alloc(0), 71), NOW);
    expect(jdc.last('DeclareMiningJob.Success').request_id).toBe(71);
  });

  it('logs a PushSolution with no declared job, or that is no block, and closes on a Mining message', () => {
    const { declarator, jdc, problems } = pool();
    const solution: MessageOf<'PushSolution'> = {
      type: 'PushSolution',
      extranonce: Buffer.alloc(EXTRANONCE_SIZE),
      prev_hash: Buffer.alloc(32),
      nonce: 0,
      ntime: template.curtime,
      nbits: 0x1d00ffff,
      version: template.version,
    };
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
