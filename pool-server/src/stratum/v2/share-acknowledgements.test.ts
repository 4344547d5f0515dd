import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeFrame } from './message-codec.ts';
import { readFrameHeader } from './framing.ts';
import { ShareAcknowledgements } from './share-acknowledgements.ts';

describe('SubmitShares.Success batching', () => {
  it('one acknowledgement per channel: last sequence number, count and summed weight', () => {
    const acks = new ShareAcknowledgements();
    expect(acks.accept(2, 10, 512n)).toBeUndefined();
    acks.accept(3, 1, 64n);
    acks.accept(2, 11, 512n);
    acks.accept(2, 13, 1024n);
    const flushed = acks.flush();
    expect(flushed).toEqual([
      {
        type: 'SubmitShares.Success',
        channel_id: 2,
        last_sequence_number: 13,
        new_submits_accepted_count: 3,
        new_shares_sum: 2048n,
      },
      {
        type: 'SubmitShares.Success',
        channel_id: 3,
        last_sequence_number: 1,
        new_submits_accepted_count: 1,
        new_shares_sum: 64n,
      },
    ]);
    expect(acks.flush()).toEqual([]);
    for (const message of flushed) {
      const frame = encodeFrame(message);
      expect(decodeMessage(readFrameHeader(frame), frame.subarray(6))).toEqual({ ok: true, value: message });
    }
  });

  it('acknowledges early rather than overflow the U64 sum', () => {
    const acks = new ShareAcknowledgements();
    acks.accept(2, 1, 2n ** 63n);
    expect(acks.accept(2, 2, 2n ** 63n)).toMatchObject({
      last_sequence_number: 1,
      new_shares_sum: 2n ** 63n,
    });
    expect(acks.flush()).toMatchObject([{ last_sequence_number: 2, new_submits_accepted_count: 1 }]);
    expect(() => acks.accept(2, 3, 2n ** 64n)).toThrow(RangeError);
  });

  it('forgets a closed channel', () => {
    const acks = new ShareAcknowledgements();
    acks.accept(2, 1, 1n);
    acks.forget(2);
    expect(acks.pendingChannels).toBe(0);
    expect(acks.flush()).toEqual([]);
  });
});
