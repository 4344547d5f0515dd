import { describe, expect, it } from 'vitest';
import { stratumShares, type ShareCase } from '../../../test/helpers/vectors.ts';
import { swapWords32 } from '../../work/bytes.ts';
import { ExtranonceAllocator } from '../extranonce.ts';
import { ConnectionChannels, u256ToBigInt } from './channels.ts';
import { targetForDifficulty, toNewMiningJob, type V1JobParts } from './job-translation.ts';
import type { MessageOf } from './message-table.ts';

const MAX_TARGET = Buffer.alloc(32, 0xff);

function standardRequest(overrides: Partial<MessageOf<'OpenStandardMiningChannel'>> = {}) {
  return {
    type: 'OpenStandardMiningChannel',
    request_id: 7,
    user_identity: 'tb1qexample.rig1',
    nominal_hash_rate: 1e12,
    max_target: MAX_TARGET,
    ...overrides,
  } as const satisfies MessageOf<'OpenStandardMiningChannel'>;
}

function extendedRequest(min: number, overrides: Partial<MessageOf<'OpenExtendedMiningChannel'>> = {}) {
  return {
    ...standardRequest(),
    type: 'OpenExtendedMiningChannel',
    min_extranonce_size: min,
    ...overrides,
  } as const;
}

describe('opening channels', () => {
  it('a standard channel gets the whole extranonce fixed, from the node allocator', () => {
    const allocator = new ExtranonceAllocator(5);
    const channels = new ConnectionChannels(allocator, { extranonce2Size: 8, initialDifficulty: 512 });
    const opened = channels.openStandard(standardRequest());
    expect(opened).toMatchObject({
      type: 'OpenStandardMiningChannel.Success',
      request_id: 7,
      channel_id: 2,
      group_channel_id: 1,
    });
    if (opened.type !== 'OpenStandardMiningChannel.Success') {
      throw new Error('not opened');
    }
    expect(opened.extranonce_prefix).toHaveLength(12);
    expect(opened.extranonce_prefix[0]).toBe(5); // the node id is extranonce1's high byte
    expect(opened.extranonce_prefix.subarray(4)).toEqual(Buffer.alloc(8));
    expect(opened.target).toEqual(targetForDifficulty(512));
    expect(allocator.inUse).toBe(1);
  });

  it('an extended channel gets extranonce1 as prefix and rolls the extranonce2 bytes', () => {
    const channels = new ConnectionChannels(new ExtranonceAllocator(0), {
      extranonce2Size: 8,
      initialDifficulty: 1,
    });
    expect(channels.openExtended(extendedRequest(4))).toMatchObject({
      type: 'OpenExtendedMiningChannel.Success',
      extranonce_size: 8,
      extranonce_prefix: Buffer.from('00000000', 'hex'),
    });
    expect(channels.openExtended(extendedRequest(9, { request_id: 8 }))).toEqual({
      type: 'OpenMiningChannel.Error',
      request_id: 8,
      error_code: 'min-extranonce-size-too-large',
    });
  });

  it('keeps the target at or below what the device accepts', () => {
    const channels = new ConnectionChannels(new ExtranonceAllocator(0), {
      extranonce2Size: 4,
      initialDifficulty: 1,
    });
    const lowMax = targetForDifficulty(4096);
    const opened = channels.openStandard(standardRequest({ max_target: lowMax }));
    expect(opened).toMatchObject({ target: lowMax });
    const channelId = (opened as MessageOf<'OpenStandardMiningChannel.Success'>).channel_id;
    expect(channels.retarget(channelId, 2)?.maximum_target).toEqual(lowMax);
    expect(channels.retarget(channelId, 65536)).toEqual({
      type: 'SetTarget',
      channel_id: channelId,
      maximum_target: targetForDifficulty(65536),
    });
    expect(channels.get(channelId)?.target).toBe(u256ToBigInt(targetForDifficulty(65536)));
    expect(channels.retarget(999, 1)).toBeUndefined();
  });

  it('refuses a zero max_target and a hashrate that is not a number of hashes', () => {
    const channels = new ConnectionChannels(new ExtranonceAllocator(0), {
      extranonce2Size: 4,
      initialDifficulty: 1,
    });
    expect(channels.openStandard(standardRequest({ max_target: Buffer.alloc(32) }))).toEqual({
      type: 'OpenMiningChannel.Error',
      request_id: 7,
      error_code: 'max-target-out-of-range',
    });
    for (const rate of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(channels.openStandard(standardRequest({ nominal_hash_rate: rate }))).toMatchObject({
        error_code: 'invalid-nominal-hashrate',
      });
    }
    expect(channels.size).toBe(0);
  });

  it('never gives two channels, or a channel and a V1 session, the same search space', () => {
    const allocator = new ExtranonceAllocator(3);
    const v1 = Array.from({ length: 10 }, () => allocator.allocate());
    const channels = new ConnectionChannels(allocator, { extranonce2Size: 4, initialDifficulty: 1 });
    const prefixes = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const opened =
        i % 2 ? channels.openStandard(standardRequest()) : channels.openExtended(extendedRequest(2));
      if (opened.type === 'OpenMiningChannel.Error') {
        throw new Error(opened.error_code);
      }
      prefixes.add(opened.extranonce_prefix.subarray(0, 4).toString('hex'));
    }
    for (const number of v1) {
      prefixes.add(number.toString(16).padStart(8, '0'));
    }
    expect(prefixes.size).toBe(60);
  });
});

describe('closing channels', () => {
  it('returns extranonce1s to the node, one channel or the whole group', () => {
    const allocator = new ExtranonceAllocator(0);
    const channels = new ConnectionChannels(allocator, { extranonce2Size: 4, initialDifficulty: 1 });
    const ids = [1, 2, 3].map(
      () => (channels.openStandard(standardRequest()) as { channel_id: number }).channel_id,
    );
    expect(ids).toEqual([2, 3, 4]);
    expect(channels.close(3)).toBe(true);
    expect(channels.close(3)).toBe(false);
    expect(allocator.inUse).toBe(2);
    expect(channels.close(channels.groupChannelId)).toBe(true);
    expect(allocator.inUse).toBe(0);
    expect(channels.size).toBe(0);
  });

  it('gives a channel a group of its own, closed by that group id alone', () => {
    const allocator = new ExtranonceAllocator(0);
    const channels = new ConnectionChannels(allocator, { extranonce2Size: 4, initialDifficulty: 1 });
    channels.openStandard(standardRequest());
    // [sv2 5.3.24] The group's id is unique among the connection's channel ids.
    expect(channels.openStandard(standardRequest(), true)).toMatchObject({
      channel_id: 4,
      group_channel_id: 3,
    });
    expect(channels.openStandard(standardRequest())).toMatchObject({ channel_id: 5, group_channel_id: 1 });
    expect(channels.close(3)).toBe(true);
    expect([channels.get(2)?.channelId, channels.get(4), channels.get(5)?.channelId]).toEqual([
      2,
      undefined,
      5,
    ]);
    expect(allocator.inUse).toBe(2);
  });
});

describe('a standard channel mines real work', () => {
  it('its prefix fills the coinbase gap of a job and gives the root of the real share', () => {
    const shareCase = stratumShares.cases.find((c) => c.subscribe.extranonce2_size === 8) as ShareCase;
    const parts: V1JobParts = {
      coinb1: Buffer.from(shareCase.notify.coinb1, 'hex'),
      coinb2: Buffer.from(shareCase.notify.coinb2, 'hex'),
      merkleBranch: shareCase.notify.merkle_branch.map((h) => Buffer.from(h, 'hex')),
      version: Number.parseInt(shareCase.notify.version, 16),
      bits: Number.parseInt(shareCase.notify.nbits, 16),
      ntime: Number.parseInt(shareCase.submit.ntime, 16),
      prevhashInternal: swapWords32(Buffer.from(shareCase.notify.prevhash, 'hex')),
      extranonceSize: 4 + 8,
    };
    // The V1 session's extranonce1 given to a standard channel whose extranonce2 is the share's.
    const extranonce1 = Number.parseInt(shareCase.subscribe.extranonce1, 16);
    const channels = new ConnectionChannels(
      { allocate: () => extranonce1, release: () => undefined },
      { extranonce2Size: 8, initialDifficulty: 1 },
    );
    const opened = channels.openStandard(standardRequest()) as MessageOf<'OpenStandardMiningChannel.Success'>;
    const prefix = Buffer.from(opened.extranonce_prefix);
    Buffer.from(shareCase.submit.extranonce2, 'hex').copy(prefix, 4);
    const job = toNewMiningJob(parts, { channelId: opened.channel_id, jobId: 1, future: false }, prefix);
    expect(job.merkle_root.toString('hex')).toBe(shareCase.expected.merkle_root_internal);
    expect(() =>
      toNewMiningJob(parts, { channelId: 2, jobId: 1, future: false }, opened.extranonce_prefix.subarray(4)),
    ).toThrow(RangeError);
  });
});

describe('a node id move', () => {
  it("gives each channel an extranonce1 of the new node's range in a SetExtranoncePrefix", () => {
    const allocator = new ExtranonceAllocator(5);
    const channels = new ConnectionChannels(allocator, { extranonce2Size: 8, initialDifficulty: 1 });
    channels.openStandard(standardRequest());
    channels.openExtended(extendedRequest(4));
    allocator.moveTo(9);
    const standard = channels.moveExtranonce(2);
    const extended = channels.moveExtranonce(3);
    expect(standard).toMatchObject({ type: 'SetExtranoncePrefix', channel_id: 2 });
    expect(standard?.extranonce_prefix).toHaveLength(12);
    expect(standard?.extranonce_prefix[0]).toBe(9);
    expect(standard?.extranonce_prefix.subarray(4)).toEqual(Buffer.alloc(8));
    expect(extended?.extranonce_prefix).toHaveLength(4);
    expect(extended?.extranonce_prefix[0]).toBe(9);
    expect(channels.get(3)?.extranoncePrefix).toEqual(extended?.extranonce_prefix);
    // The old extranonce1s went back: two held, not four.
    expect(allocator.inUse).toBe(2);
    expect(channels.moveExtranonce(99)).toBeUndefined();
  });
});
