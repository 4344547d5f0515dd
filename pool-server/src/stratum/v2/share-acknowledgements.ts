/**
 * [sv2 5.3.13] SubmitShares.Success acknowledges many shares at once: per channel, the last
 * sequence number, how many shares and their summed weight since the previous
 * acknowledgement. The server accepts shares as they come and flushes when it replies (at
 * the end of the event-loop turn that journaled them, as V1's replies are held).
 */
import type { MessageOf } from './message-table.ts';

const U32_MAX = 0xffff_ffff;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

interface Pending {
  lastSequenceNumber: number;
  count: number;
  sum: bigint;
}

export class ShareAcknowledgements {
  readonly #pending = new Map<number, Pending>();

  get pendingChannels(): number {
    return this.#pending.size;
  }

  /**
   * Records an accepted share of `weight` (the unit is the caller's: the channel's share
   * difficulty, as the reference implementation sums). Returns the channel's acknowledgement
   * early when one more share would overflow the U32 count or the U64 sum.
   */
  accept(
    channelId: number,
    sequenceNumber: number,
    weight: bigint,
  ): MessageOf<'SubmitShares.Success'> | undefined {
    if (weight < 0n || weight > U64_MAX) {
      throw new RangeError(`share weight must fit a U64, got ${String(weight)}`);
    }
    let early: MessageOf<'SubmitShares.Success'> | undefined;
    let pending = this.#pending.get(channelId);
    if (pending && (pending.count === U32_MAX || pending.sum + weight > U64_MAX)) {
      early = this.#message(channelId, pending);
      pending = undefined;
    }
    if (!pending) {
      pending = { lastSequenceNumber: sequenceNumber, count: 0, sum: 0n };
      this.#pending.set(channelId, pending);
    }
    pending.lastSequenceNumber = sequenceNumber;
    pending.count += 1;
    pending.sum += weight;
    return early;
  }

  /** One acknowledgement per channel with shares since the last flush, in the order they first came. */
  flush(): MessageOf<'SubmitShares.Success'>[] {
    const messages = [...this.#pending].map(([channelId, pending]) => this.#message(channelId, pending));
    this.#pending.clear();
    return messages;
  }

  /** A closed channel's shares are not acknowledged: the miner was told the channel is gone. */
  forget(channelId: number): void {
    this.#pending.delete(channelId);
  }

  #message(channelId: number, pending: Pending): MessageOf<'SubmitShares.Success'> {
    return {
      type: 'SubmitShares.Success',
      channel_id: channelId,
      last_sequence_number: pending.lastSequenceNumber,
      new_submits_accepted_count: pending.count,
      new_shares_sum: pending.sum,
    };
  }
}
