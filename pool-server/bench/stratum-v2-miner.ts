/**
 * Stratum V2 channels for stratum-v2.ts: the test miner (test/helpers/sv2-client.ts, its
 * Noise initiator and the pool's message codec) opens a standard or an extended channel,
 * and v2Throughput submits real shares on them, closed loop or paced, as
 * stratum-throughput.ts does for V1, timing each share to the SubmitShares.Success that
 * acknowledges it. A refused or unacknowledged share fails the benchmark.
 */
import { randomBytes } from 'node:crypto';
import type { MessageName, MessageOf, Sv2Message } from '../src/stratum/v2/message-table.ts';
import { ANY_TARGET, REQUIRES_STANDARD_JOBS, Sv2Client, u256 } from '../test/helpers/sv2-client.ts';
import { LOAD_WORKER, now } from './stratum-miner.ts';
import {
  DRAIN_WAIT_MS,
  latencyPercentiles,
  measureWindow,
  type LoadWindow,
  type Throughput,
} from './stratum-throughput.ts';

export type ChannelKind = 'standard' | 'extended';

/** Sequence numbers whose send time is kept: more than any channel has in flight. */
const SENT_RING = 1 << 16;
const EASIEST_TARGET = u256(ANY_TARGET);

/** What the phase running now does with a channel's acknowledgement. */
type OnSuccess = (success: MessageOf<'SubmitShares.Success'>, at: number) => void;

export class V2Channel {
  readonly kind: ChannelKind;
  readonly client: Sv2Client;
  readonly channelId: number;
  /** The next share's sequence number, and its nonce: unique on the channel across phases. */
  sequence = 0;
  /** Every share up to this sequence number is acknowledged. */
  acknowledgedUpTo = -1;
  readonly sentAt = new Float64Array(SENT_RING);
  onSuccess: OnSuccess = () => undefined;
  readonly #share: (sequence: number) => Sv2Message;

  constructor(
    kind: ChannelKind,
    client: Sv2Client,
    channelId: number,
    share: (sequence: number) => Sv2Message,
  ) {
    this.kind = kind;
    this.client = client;
    this.channelId = channelId;
    this.#share = share;
    void this.#acknowledgements();
  }

  get outstanding(): number {
    return this.sequence - 1 - this.acknowledgedUpTo;
  }

  submit(): void {
    const sequence = this.sequence++;
    this.sentAt[sequence % SENT_RING] = now();
    this.client.send(this.#share(sequence));
  }

  /** Runs for the channel's life: the pool closing the connection ends it. */
  async #acknowledgements(): Promise<void> {
    for (;;) {
      let success: MessageOf<'SubmitShares.Success'>;
      try {
        success = await this.client.next('SubmitShares.Success');
      } catch {
        return;
      }
      this.onSuccess(success, now());
    }
  }
}

/** The pool's answer `wanted`; its `refusal` instead fails the benchmark with the pool's words. */
async function answerOrRefusal<N extends MessageName>(
  client: Sv2Client,
  wanted: N,
  refusal: MessageName,
): Promise<Extract<Sv2Message, { readonly type: N }>> {
  return Promise.race([
    client.next(wanted),
    client.next(refusal).then((refused) => {
      throw new Error(`the pool refused a benchmark channel: ${JSON.stringify(refused)}`);
    }),
  ]);
}

/** A connection with one channel of `kind`, Noise done and its first job in; every hash is a share on it. */
export async function openChannel(
  port: number,
  authorityPublicKey: Buffer,
  kind: ChannelKind,
): Promise<V2Channel> {
  const client = await Sv2Client.connect(port, authorityPublicKey);
  // As a header-only device: each standard channel gets a NewMiningJob of its own.
  const setup = await client.setup(REQUIRES_STANDARD_JOBS);
  if (setup.type !== 'SetupConnection.Success') {
    throw new Error(`the pool refused SetupConnection: ${JSON.stringify(setup)}`);
  }
  const request = { request_id: 1, user_identity: LOAD_WORKER, nominal_hash_rate: 0, max_target: ANY_TARGET };
  if (kind === 'standard') {
    client.send({ type: 'OpenStandardMiningChannel', ...request });
    const opened = await answerOrRefusal(
      client,
      'OpenStandardMiningChannel.Success',
      'OpenMiningChannel.Error',
    );
    const job = await client.next('NewMiningJob');
    const { min_ntime: ntime } = await client.next('SetNewPrevHash');
    checkTarget(opened.target);
    return new V2Channel(kind, client, opened.channel_id, (sequence) => ({
      type: 'SubmitSharesStandard',
      channel_id: opened.channel_id,
      sequence_number: sequence,
      job_id: job.job_id,
      nonce: sequence,
      ntime,
      version: job.version,
    }));
  }
  client.send({ type: 'OpenExtendedMiningChannel', ...request, min_extranonce_size: 4 });
  const opened = await answerOrRefusal(
    client,
    'OpenExtendedMiningChannel.Success',
    'OpenMiningChannel.Error',
  );
  const job = await client.next('NewExtendedMiningJob');
  const { min_ntime: ntime } = await client.next('SetNewPrevHash');
  checkTarget(opened.target);
  // The miner's part of the extranonce, fixed per channel: the nonce makes each share unique.
  const extranonce = randomBytes(opened.extranonce_size);
  return new V2Channel(kind, client, opened.channel_id, (sequence) => ({
    type: 'SubmitSharesExtended',
    channel_id: opened.channel_id,
    sequence_number: sequence,
    job_id: job.job_id,
    nonce: sequence,
    ntime,
    version: job.version,
    extranonce,
  }));
}

/** The benchmark's shares are any hash: a harder channel target would refuse most of them. */
function checkTarget(target: Buffer): void {
  if (u256(target) !== EASIEST_TARGET) {
    throw new Error(
      `the pool gave a channel the target ${target.toString('hex')}, not the easiest: its vardiff is not capped (BENCH_STRATUM_V2=1 in stratum-server.ts)`,
    );
  }
}

/** Opens `count` channels, `concurrency` handshakes at a time (each costs both ends tens of ms of CPU). */
export async function openChannels(
  port: number,
  authorityPublicKey: Buffer,
  kind: ChannelKind,
  count: number,
  concurrency = 16,
): Promise<V2Channel[]> {
  const channels: V2Channel[] = [];
  for (let start = 0; start < count; start += concurrency) {
    const batch = Math.min(concurrency, count - start);
    channels.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () => openChannel(port, authorityPublicKey, kind)),
      )),
    );
  }
  return channels;
}

/** Why a phase's shares were not all acknowledged, or undefined when they were. */
function lostShares(channels: readonly V2Channel[], mismatched: number): string | undefined {
  const refused = channels.filter((channel) => channel.client.has('SubmitShares.Error'));
  const unanswered = channels.reduce((sum, channel) => sum + channel.outstanding, 0);
  if (refused.length === 0 && unanswered === 0 && mismatched === 0) {
    return undefined;
  }
  return `${String(refused.length)} ${channels[0]?.kind ?? ''} channels had shares refused, ${String(unanswered)} shares were not acknowledged within ${String(DRAIN_WAIT_MS)} ms, ${String(mismatched)} acknowledgements did not count the shares they covered`;
}

/**
 * Submits unique shares on every channel. Closed loop (rate undefined): inFlight
 * outstanding per channel, each acknowledgement sends as many again. Paced: `rate`
 * shares/s in total, every millisecond tick, `group` at a time to one channel. A share's
 * latency runs from its send to the acknowledgement that covers its sequence number.
 */
export async function v2Throughput(
  channels: readonly V2Channel[],
  {
    rate,
    inFlight,
    seconds: measured,
    group,
  }: { rate?: number; inFlight: number; seconds: number; group: number },
): Promise<Throughput> {
  const latencies: number[] = [];
  let accepted = 0;
  let answered = 0;
  let mismatched = 0;
  const window: LoadWindow = { measuring: false, running: true };
  for (const channel of channels) {
    channel.onSuccess = (success, at) => {
      const last = success.last_sequence_number;
      const covered = last - channel.acknowledgedUpTo;
      if (covered !== success.new_submits_accepted_count) {
        // A refused share in between (its SubmitShares.Error fails the phase), or a lost acknowledgement.
        mismatched++;
      }
      for (let sequence = channel.acknowledgedUpTo + 1; sequence <= last; sequence++) {
        if (window.measuring) {
          latencies.push(at - (channel.sentAt[sequence % SENT_RING] ?? at));
        }
      }
      channel.acknowledgedUpTo = last;
      answered += covered;
      if (window.measuring) {
        accepted += covered;
      }
      if (window.running && rate === undefined) {
        for (let share = 0; share < covered; share++) {
          channel.submit();
        }
      }
    };
  }
  const seconds = await measureWindow(
    window,
    channels.map((channel) => () => {
      channel.submit();
    }),
    { rate, inFlight, group, seconds: measured },
    () => channels.reduce((sum, channel) => sum + channel.outstanding, 0),
  );
  const lost = lostShares(channels, mismatched);
  if (lost !== undefined) {
    const refusal = channels.find((channel) => channel.client.has('SubmitShares.Error'));
    const first = refusal ? JSON.stringify(await refusal.client.next('SubmitShares.Error')) : 'none';
    throw new Error(`Stratum V2 shares refused or lost: ${lost}; the first refusal: ${first}`);
  }
  return {
    offered:
      rate === undefined
        ? `closed loop, ${String(inFlight)} in flight per channel`
        : `${String(rate)}/s, ${String(group)} at a time`,
    sharesPerSecond: accepted / seconds,
    rejected: 0,
    stale: 0,
    ...latencyPercentiles(latencies),
    answered,
    answeredAccepted: answered,
    sends: undefined,
  };
}
