/**
 * [sv2 5.2] The mining channels of one connection, pure bookkeeping: channel ids, the
 * extranonce prefix each channel mines under, and its target.
 *
 * Extranonce layout: the pool's jobs leave extranonce1 (4 bytes, from the node's
 * `ExtranonceAllocator`, shared with V1 so no two sessions of either protocol ever search the
 * same space) plus extranonce2Size bytes between coinb1 and coinb2.
 * - An extended channel gets a fresh extranonce1 as its extranonce_prefix and rolls the
 *   extranonce2Size bytes after it (extranonce_size).
 * - A standard channel (header-only mining) needs the whole extranonce fixed: its prefix is a
 *   fresh extranonce1 followed by extranonce2Size zero bytes.
 * A connection's channels are in one group channel, whose id is the connection's first; a
 * standard channel whose coinbase is its own (SOLO) is in a group of its own, so no group job
 * (another coinbase) ever reaches it.
 * Who may open a channel (the user identity) is decided by the caller before `open*`.
 */
import { extranonceToBytes } from '../extranonce.ts';
import { targetFromDifficulty, targetToBytesLE } from '../../work/target.ts';
import type { MessageOf } from './message-table.ts';
import { OpenMiningChannelErrorCode } from './protocol-constants.ts';

/** What a channel's extranonce1 comes from: the node's ExtranonceAllocator fits. */
export interface ExtranonceSource {
  allocate(): number;
  release(extranonce1: number): void;
}

export interface ChannelPolicy {
  /** The extranonce2 bytes every job's coinbase leaves after extranonce1. */
  readonly extranonce2Size: number;
  /** The share difficulty a new channel starts at. */
  readonly initialDifficulty: number;
}

export interface Sv2Channel {
  readonly kind: 'standard' | 'extended';
  readonly channelId: number;
  readonly groupChannelId: number;
  readonly userIdentity: string;
  /** SetExtranoncePrefix changes these two when the node's id moves. */
  extranonce1: number;
  extranoncePrefix: Buffer;
  /** Bytes the miner rolls after the prefix: 0 on a standard channel. */
  readonly extranonceSize: number;
  /** The most the device accepts (U256 LE); every target sent is at or below it. UpdateChannel changes it. */
  maxTarget: bigint;
  target: bigint;
  nominalHashRate: number;
}

type OpenResult<S> = S | MessageOf<'OpenMiningChannel.Error'>;

/** The fields both open requests share. */
type OpenRequest = Omit<MessageOf<'OpenStandardMiningChannel'>, 'type'>;

const U32_MAX = 0xffff_ffff;

export function u256ToBigInt(bytesLE: Buffer): bigint {
  return BigInt(`0x${Buffer.from(bytesLE).reverse().toString('hex') || '0'}`);
}

function u256(target: bigint): Buffer {
  return Buffer.from(targetToBytesLE(target));
}

export class ConnectionChannels {
  readonly #extranonces: ExtranonceSource;
  readonly #policy: ChannelPolicy;
  readonly #channels = new Map<number, Sv2Channel>();
  readonly groupChannelId = 1;
  #nextChannelId = 2;

  constructor(extranonces: ExtranonceSource, policy: ChannelPolicy) {
    if (
      !Number.isInteger(policy.extranonce2Size) ||
      policy.extranonce2Size < 0 ||
      policy.extranonce2Size > 28
    ) {
      throw new RangeError('extranonce2Size must be 0-28: B0_32 holds the 4-byte extranonce1 and the rest');
    }
    // Throws now, at start-up, on a difficulty no target can express.
    targetFromDifficulty(policy.initialDifficulty);
    this.#extranonces = extranonces;
    this.#policy = policy;
  }

  get size(): number {
    return this.#channels.size;
  }

  get(channelId: number): Sv2Channel | undefined {
    return this.#channels.get(channelId);
  }

  /** [sv2 5.3.2, 5.3.3] */
  openStandard(
    request: MessageOf<'OpenStandardMiningChannel'>,
    ownGroup = false,
  ): OpenResult<MessageOf<'OpenStandardMiningChannel.Success'>> {
    const refused = this.#refusal(request);
    if (refused) {
      return refused;
    }
    const extranonce1 = this.#extranonces.allocate();
    const prefix = this.#prefixFor('standard', extranonce1);
    const channel = this.#add('standard', request, extranonce1, prefix, 0, ownGroup);
    return {
      type: 'OpenStandardMiningChannel.Success',
      request_id: request.request_id,
      channel_id: channel.channelId,
      target: u256(channel.target),
      extranonce_prefix: channel.extranoncePrefix,
      group_channel_id: channel.groupChannelId,
    };
  }

  /** [sv2 5.3.4, 5.3.5] */
  openExtended(
    request: MessageOf<'OpenExtendedMiningChannel'>,
  ): OpenResult<MessageOf<'OpenExtendedMiningChannel.Success'>> {
    const refused = this.#refusal(request);
    if (refused) {
      return refused;
    }
    if (request.min_extranonce_size > this.#policy.extranonce2Size) {
      return this.#error(request.request_id, OpenMiningChannelErrorCode.minExtranonceSizeTooLarge);
    }
    const extranonce1 = this.#extranonces.allocate();
    const channel = this.#add(
      'extended',
      request,
      extranonce1,
      this.#prefixFor('extended', extranonce1),
      this.#policy.extranonce2Size,
    );
    return {
      type: 'OpenExtendedMiningChannel.Success',
      request_id: request.request_id,
      channel_id: channel.channelId,
      target: u256(channel.target),
      extranonce_size: channel.extranonceSize,
      extranonce_prefix: channel.extranoncePrefix,
      group_channel_id: channel.groupChannelId,
    };
  }

  /**
   * [sv2 5.3.21] A new share difficulty for a channel, never above what the device accepts.
   * Undefined for a channel that is not open.
   */
  retarget(channelId: number, difficulty: number): MessageOf<'SetTarget'> | undefined {
    const channel = this.#channels.get(channelId);
    if (!channel) {
      return undefined;
    }
    channel.target = this.#targetFor(difficulty, channel.maxTarget);
    return { type: 'SetTarget', channel_id: channelId, maximum_target: u256(channel.target) };
  }

  /**
   * [sv2 5.3.10] A new extranonce1 for an open channel, from the node's id range now in force
   * (another node took the old id): the SetExtranoncePrefix to send. Undefined for a channel
   * that is not open.
   */
  moveExtranonce(channelId: number): MessageOf<'SetExtranoncePrefix'> | undefined {
    const channel = this.#channels.get(channelId);
    if (!channel) {
      return undefined;
    }
    const extranonce1 = this.#extranonces.allocate();
    this.#extranonces.release(channel.extranonce1);
    channel.extranonce1 = extranonce1;
    channel.extranoncePrefix = this.#prefixFor(channel.kind, extranonce1);
    return {
      type: 'SetExtranoncePrefix',
      channel_id: channelId,
      extranonce_prefix: channel.extranoncePrefix,
    };
  }

  /** [sv2 5.3.9] Closes one channel, or every channel of the group it names. */
  close(channelId: number): boolean {
    if (channelId === this.groupChannelId) {
      const any = this.#channels.size > 0;
      this.closeAll();
      return any;
    }
    let any = false;
    for (const channel of this.#channels.values()) {
      if (channel.channelId === channelId || channel.groupChannelId === channelId) {
        this.#channels.delete(channel.channelId);
        this.#extranonces.release(channel.extranonce1);
        any = true;
      }
    }
    return any;
  }

  /** The connection ended: every extranonce1 goes back to the node. */
  closeAll(): void {
    for (const channel of this.#channels.values()) {
      this.#extranonces.release(channel.extranonce1);
    }
    this.#channels.clear();
  }

  #refusal(request: OpenRequest): MessageOf<'OpenMiningChannel.Error'> | undefined {
    if (!Number.isFinite(request.nominal_hash_rate) || request.nominal_hash_rate < 0) {
      return this.#error(request.request_id, OpenMiningChannelErrorCode.invalidNominalHashrate);
    }
    // A device that accepts no target above zero can never send a share.
    if (u256ToBigInt(request.max_target) === 0n) {
      return this.#error(request.request_id, OpenMiningChannelErrorCode.maxTargetOutOfRange);
    }
    return undefined;
  }

  #error(requestId: number, errorCode: string): MessageOf<'OpenMiningChannel.Error'> {
    return { type: 'OpenMiningChannel.Error', request_id: requestId, error_code: errorCode };
  }

  /** An extended channel's prefix is its extranonce1; a standard one's, the whole extranonce. */
  #prefixFor(kind: Sv2Channel['kind'], extranonce1: number): Buffer {
    const bytes = extranonceToBytes(extranonce1);
    return kind === 'extended' ? bytes : Buffer.concat([bytes, Buffer.alloc(this.#policy.extranonce2Size)]);
  }

  #targetFor(difficulty: number, maxTarget: bigint): bigint {
    const target = targetFromDifficulty(difficulty);
    return target < maxTarget ? target : maxTarget;
  }

  #add(
    kind: Sv2Channel['kind'],
    request: OpenRequest,
    extranonce1: number,
    extranoncePrefix: Buffer,
    extranonceSize: number,
    ownGroup = false,
  ): Sv2Channel {
    if (this.#nextChannelId + (ownGroup ? 1 : 0) > U32_MAX) {
      this.#extranonces.release(extranonce1);
      throw new RangeError('this connection has used every channel id');
    }
    const maxTarget = u256ToBigInt(request.max_target);
    // A group id is unique among the connection's channel ids [sv2 5.3.24].
    const groupChannelId = ownGroup ? this.#nextChannelId++ : this.groupChannelId;
    const channel: Sv2Channel = {
      kind,
      channelId: this.#nextChannelId++,
      groupChannelId,
      userIdentity: request.user_identity,
      extranonce1,
      extranoncePrefix,
      extranonceSize,
      maxTarget,
      target: this.#targetFor(this.#policy.initialDifficulty, maxTarget),
      nominalHashRate: request.nominal_hash_rate,
    };
    this.#channels.set(channel.channelId, channel);
    return channel;
  }
}
