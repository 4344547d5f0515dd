/**
 * The V2 session without a socket, on the recorded testnet template of stratum-env.ts:
 * what SetupConnection grants or refuses for the pool's version mask, the start target from
 * nominal_hash_rate and max_target, and vardiff's retarget reaching the miner as SetTarget.
 */
import { describe, expect, it } from 'vitest';
import {
  ANY_TARGET,
  extendedMerkleRoot,
  REQUIRES_STANDARD_JOBS,
  searchNonce,
  u256,
  u256Bytes,
} from '../../../test/helpers/sv2-client.ts';
import { TESTNET_ADDRESS, testEnvironment } from '../../../test/helpers/stratum-env.ts';
import type { StratumSettings } from '../session-context.ts';
import { targetForDifficulty } from './job-translation.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import { Sv2Session, type Sv2Sink } from './session.ts';

const REQUIRES_VERSION_ROLLING = 1 << 2;
const REQUIRES_FIXED_VERSION = 1 << 0;
const NOW = 1_700_000_000_000;

class Recorder implements Sv2Sink {
  readonly sent: Sv2Message[] = [];
  readonly accepted: number[] = [];
  closedWith: string | undefined;

  send(message: Sv2Message): void {
    this.sent.push(message);
  }

  shareAccepted(_channelId: number, sequenceNumber: number): void {
    this.accepted.push(sequenceNumber);
  }

  close(reason: string): void {
    this.closedWith = reason;
  }

  penalize(): void {
    return;
  }

  take<N extends Sv2Message['type']>(type: N): Extract<Sv2Message, { readonly type: N }>[] {
    return this.sent.filter(
      (message): message is Extract<Sv2Message, { readonly type: N }> => message.type === type,
    );
  }
}

function session(settings: Partial<StratumSettings> = {}): { session: Sv2Session; sink: Recorder } {
  const { env } = testEnvironment(settings);
  const sink = new Recorder();
  return { session: new Sv2Session(env, sink, '192.0.2.1'), sink };
}

function setup(flags: number): MessageOf<'SetupConnection'> {
  return {
    type: 'SetupConnection',
    protocol: 0,
    min_version: 2,
    max_version: 2,
    flags,
    endpoint_host: 'pool.example',
    endpoint_port: 3336,
    vendor: 'Bitmain',
    hardware_version: 'S21',
    firmware: 'braiins-os 24.01',
    device_id: 'rack-7',
  };
}

function open(hashRate: number, maxTarget: Buffer = ANY_TARGET): MessageOf<'OpenStandardMiningChannel'> {
  return {
    type: 'OpenStandardMiningChannel',
    request_id: 1,
    user_identity: `${TESTNET_ADDRESS}.rig1`,
    nominal_hash_rate: hashRate,
    max_target: maxTarget,
  };
}

describe('Sv2Session', () => {
  it('refuses version rolling when the pool grants no bits, and says the version is fixed', () => {
    const refused = session({ versionMask: 0 });
    refused.session.receive(setup(REQUIRES_VERSION_ROLLING), NOW);
    expect(refused.sink.take('SetupConnection.Error')).toEqual([
      {
        type: 'SetupConnection.Error',
        flags: REQUIRES_VERSION_ROLLING,
        error_code: 'unsupported-feature-flags',
      },
    ]);
    expect(refused.sink.closedWith).toBeDefined();

    const fixed = session({ versionMask: 0 });
    fixed.session.receive(setup(0), NOW);
    expect(fixed.sink.take('SetupConnection.Success')).toEqual([
      { type: 'SetupConnection.Success', used_version: 2, flags: REQUIRES_FIXED_VERSION },
    ]);
  });

  it('starts a channel at the difficulty its nominal hash rate gives, and records the device', () => {
    const { session: v2, sink } = session();
    v2.receive(setup(0), NOW);
    // 10^12 H/s, one share per 10 s (DEFAULT_VARDIFF): 10^13 / 2^32 = 2328.3, kept to 4 digits.
    v2.receive(open(1e12), NOW);
    const [opened] = sink.take('OpenStandardMiningChannel.Success');
    expect(opened?.target).toEqual(targetForDifficulty(2328));
    expect(v2.device).toMatchObject({ vendor: 'Bitmain', firmware: 'braiins-os 24.01', deviceId: 'rack-7' });
    // What every share of the session is stored with, made once.
    expect(v2.device?.userAgent).toBe('Bitmain S21 braiins-os 24.01');

    const silent = session();
    silent.session.receive({ ...setup(0), vendor: '', hardware_version: '', firmware: '' }, NOW);
    expect(silent.session.device?.userAgent).toBeUndefined();
  });

  it('never sends a target easier than max_target, and refuses one no difficulty reaches', () => {
    const { session: v2, sink } = session();
    v2.receive(setup(0), NOW);
    const maximum = u256(targetForDifficulty(1)) / 3n;
    v2.receive(open(0, u256Bytes(maximum)), NOW);
    const [opened] = sink.take('OpenStandardMiningChannel.Success');
    expect(opened && u256(opened.target)).toBe(maximum);

    v2.receive(open(0, u256Bytes(1n)), NOW);
    expect(sink.take('OpenMiningChannel.Error')).toEqual([
      { type: 'OpenMiningChannel.Error', request_id: 1, error_code: 'max-target-out-of-range' },
    ]);
  });

  it('sends SetTarget when vardiff raises the difficulty of a channel far too fast', () => {
    const { session: v2, sink } = session();
    v2.receive(setup(REQUIRES_STANDARD_JOBS), NOW);
    v2.receive(open(0), NOW);
    const [opened] = sink.take('OpenStandardMiningChannel.Success');
    const [job] = sink.take('NewMiningJob');
    const [prevHash] = sink.take('SetNewPrevHash');
    if (!opened || !job || !prevHash) {
      throw new Error('no channel or job');
    }
    const work = {
      version: job.version,
      prevHash: prevHash.prev_hash,
      merkleRoot: job.merkle_root,
      ntime: prevHash.min_ntime,
      nbits: prevHash.nbits,
    };
    let nonce = -1;
    for (let sequence = 0; sequence < 8; sequence++) {
      nonce = searchNonce(work, u256(opened.target), nonce + 1);
      v2.receive(
        {
          type: 'SubmitSharesStandard',
          channel_id: opened.channel_id,
          sequence_number: sequence,
          job_id: job.job_id,
          nonce,
          ntime: work.ntime,
          version: work.version,
        },
        NOW + sequence,
      );
    }
    expect(sink.accepted).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const [retarget] = sink.take('SetTarget');
    expect(retarget?.channel_id).toBe(opened.channel_id);
    expect(retarget && u256(retarget.maximum_target) < u256(opened.target)).toBe(true);
  });
});

describe('a node id move', () => {
  it('sends each channel a SetExtranoncePrefix, and shares on the reissued job count under it', () => {
    const { env, feed } = testEnvironment();
    const sink = new Recorder();
    const v2 = new Sv2Session(env, sink, '192.0.2.1');
    v2.receive(setup(REQUIRES_STANDARD_JOBS), NOW);
    expect(v2.moveExtranonce1()).toBe('not subscribed');
    v2.receive(open(0), NOW);
    const [opened] = sink.take('OpenStandardMiningChannel.Success');
    env.extranonces.moveTo(9);
    expect(v2.moveExtranonce1()).toBe('moved');
    const [moved] = sink.take('SetExtranoncePrefix');
    expect(moved?.channel_id).toBe(opened?.channel_id);
    expect(moved?.extranonce_prefix[0]).toBe(9);
    expect(sink.take('Reconnect')).toEqual([]);

    feed.reissue();
    v2.sendCurrentJob();
    const job = sink.take('NewMiningJob').at(-1);
    const prevHash = sink.take('SetNewPrevHash').at(-1);
    if (!opened || !job || !prevHash) {
      throw new Error('no channel or job');
    }
    expect(prevHash.job_id).toBe(job.job_id);
    const work = {
      version: job.version,
      prevHash: prevHash.prev_hash,
      merkleRoot: job.merkle_root,
      ntime: prevHash.min_ntime,
      nbits: prevHash.nbits,
    };
    v2.receive(
      {
        type: 'SubmitSharesStandard',
        channel_id: opened.channel_id,
        sequence_number: 5,
        job_id: job.job_id,
        nonce: searchNonce(work, u256(opened.target)),
        ntime: work.ntime,
        version: work.version,
      },
      NOW,
    );
    expect(sink.accepted).toEqual([5]);
  });
});

describe('group channels [sv2 5.3.1, 5.3.24]', () => {
  const submit = (
    v2: Sv2Session,
    opened: MessageOf<'OpenStandardMiningChannel.Success'>,
    job: { readonly job_id: number; readonly version: number },
    merkleRoot: Buffer,
    prevHash: MessageOf<'SetNewPrevHash'>,
    sequence: number,
  ): void => {
    const work = {
      version: job.version,
      prevHash: prevHash.prev_hash,
      merkleRoot,
      ntime: prevHash.min_ntime,
      nbits: prevHash.nbits,
    };
    v2.receive(
      {
        type: 'SubmitSharesStandard',
        channel_id: opened.channel_id,
        sequence_number: sequence,
        job_id: job.job_id,
        nonce: searchNonce(work, u256(opened.target)),
        ntime: work.ntime,
        version: work.version,
      },
      NOW,
    );
  };

  it('without REQUIRES_STANDARD_JOBS: SetGroupChannel, then one extended job for the group', () => {
    const { env, feed } = testEnvironment();
    const sink = new Recorder();
    const v2 = new Sv2Session(env, sink, '192.0.2.1');
    v2.receive(setup(0), NOW);
    v2.receive(open(0), NOW);
    const [first] = sink.take('OpenStandardMiningChannel.Success');
    if (!first) {
      throw new Error('no channel');
    }
    const group = first.group_channel_id;
    expect(sink.sent.slice(2).map((message) => message.type)).toEqual([
      'SetGroupChannel',
      'NewExtendedMiningJob',
      'SetNewPrevHash',
    ]);
    expect(sink.take('SetGroupChannel')).toEqual([
      { type: 'SetGroupChannel', group_channel_id: group, channel_ids: [first.channel_id] },
    ]);
    expect(sink.take('NewMiningJob')).toEqual([]);
    const [job] = sink.take('NewExtendedMiningJob');
    const [prevHash] = sink.take('SetNewPrevHash');
    if (!job || !prevHash) {
      throw new Error('no group job');
    }
    expect([job.channel_id, prevHash.channel_id, prevHash.job_id]).toEqual([group, group, job.job_id]);
    // The client fills the extranonce with the channel's prefix, as a proxy does.
    submit(v2, first, job, extendedMerkleRoot(job, first.extranonce_prefix, Buffer.alloc(0)), prevHash, 1);
    expect(sink.accepted).toEqual([1]);

    // A channel joining after the group's job is told its group, then gets that job of its own.
    sink.sent.length = 0;
    v2.receive({ ...open(0), request_id: 2 }, NOW);
    const [second] = sink.take('OpenStandardMiningChannel.Success');
    if (!second) {
      throw new Error('no second channel');
    }
    expect(sink.sent.slice(1).map((message) => message.type)).toEqual([
      'SetGroupChannel',
      'NewMiningJob',
      'SetNewPrevHash',
    ]);
    expect(sink.take('NewMiningJob')[0]).toMatchObject({ channel_id: second.channel_id, job_id: job.job_id });

    // The next job reaches both channels in one message to the group.
    sink.sent.length = 0;
    feed.reissue();
    v2.sendCurrentJob();
    const jobs = sink.take('NewExtendedMiningJob');
    expect(jobs.map((message) => message.channel_id)).toEqual([group]);
    expect(sink.take('NewMiningJob')).toEqual([]);
    const [next] = jobs;
    const nextPrevHash = sink.take('SetNewPrevHash').at(-1) ?? prevHash;
    if (!next) {
      throw new Error('no next group job');
    }
    // Each channel's share is checked with its own prefix in the coinbase.
    const secondRoot = extendedMerkleRoot(next, second.extranonce_prefix, Buffer.alloc(0));
    submit(v2, second, next, secondRoot, nextPrevHash, 2);
    expect(sink.accepted).toEqual([1, 2]);
    submit(v2, first, next, secondRoot, nextPrevHash, 3);
    expect(sink.take('SubmitShares.Error').map((error) => error.sequence_number)).toEqual([3]);
  });

  it('with REQUIRES_STANDARD_JOBS: a NewMiningJob for each standard channel, no SetGroupChannel', () => {
    const { session: v2, sink } = session();
    v2.receive(setup(REQUIRES_STANDARD_JOBS), NOW);
    v2.receive(open(0), NOW);
    v2.receive({ ...open(0), request_id: 2 }, NOW);
    const channels = sink.take('OpenStandardMiningChannel.Success').map((opened) => opened.channel_id);
    expect(sink.take('NewMiningJob').map((job) => job.channel_id)).toEqual(channels);
    expect(sink.take('NewExtendedMiningJob')).toEqual([]);
    expect(sink.take('SetGroupChannel')).toEqual([]);
  });

  it('keeps a SOLO standard channel, whose coinbase is its own, out of the group', () => {
    const { session: v2, sink } = session({ soloByDefault: true });
    v2.receive(setup(0), NOW);
    v2.receive(open(0), NOW);
    const [opened] = sink.take('OpenStandardMiningChannel.Success');
    expect(opened && opened.group_channel_id !== 1 && opened.group_channel_id !== opened.channel_id).toBe(
      true,
    );
    expect(sink.take('SetGroupChannel')).toEqual([]);
    expect(sink.take('NewExtendedMiningJob')).toEqual([]);
    expect(sink.take('NewMiningJob').map((job) => job.channel_id)).toEqual([opened?.channel_id]);
  });
});
