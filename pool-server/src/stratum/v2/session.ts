/**
 * One Stratum V2 connection's Mining-protocol session: SetupConnection, standard and
 * extended channels, their jobs, targets and shares. No socket and no clock: the
 * connection passes decoded frames and the time, and sends what the sink is given.
 *
 * Channels mine V1's very jobs (job-translation.ts): a V2 job id is the number of the V1
 * job id (a hex counter), a channel's extranonce1 comes from the allocator V1 sessions
 * use, and shares go through validateShare, the same StratumEvents and so the same ledger.
 * [sv2 5.3]
 */
import { difficultyFromTarget } from '../../work/target.ts';
import { extranonceToBytes } from '../extranonce.ts';
import { BIP320_VERSION_MASK } from '../../work/version-rolling.ts';
import { INVALID_STREAK_LIMIT, INVALID_STREAK_PENALTY } from '../handlers/submit.ts';
import type { CreditedShare, StratumEnvironment } from '../session-context.ts';
import {
  admitChannel,
  checkShare,
  jobMessages,
  startChannel,
  SUBMIT_ERROR,
  suggestHashRate,
  type MiningChannel,
} from './channel.ts';
import { ConnectionChannels, u256ToBigInt } from './channels.ts';
import { setCustomMiningJob } from './custom-job.ts';
import { GroupJobs } from './group-jobs.ts';
import { JobDeclarationSession } from './jd-session.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import {
  MiningSetupFlags,
  OpenMiningChannelErrorCode,
  SubmitSharesErrorCode,
  UpdateChannelErrorCode,
} from './protocol-constants.ts';
import { answerSetup, type SetupPolicy, type Sv2Device } from './setup-connection.ts';
import type { Sv2Sink } from './sv2-sink.ts';

export type { Sv2Device } from './setup-connection.ts';
export type { Sv2Sink } from './sv2-sink.ts';

const BAD_MESSAGE_PENALTY = 20;
const FAILED_OPEN_PENALTY = 10;

export class Sv2Session {
  readonly env: StratumEnvironment;
  readonly remoteAddress: string;
  readonly #sink: Sv2Sink;
  #device: Sv2Device | undefined;
  readonly #channels: ConnectionChannels;
  /** The open channels' mining state, by channel id. */
  readonly #work = new Map<number, MiningChannel>();
  #invalidStreak = 0;
  #closed = false;
  /** The protocol the port serves: the Mining protocol, or the Job Declaration Server's. */
  readonly #protocol: SetupPolicy['protocol'];
  /** [sv2 5.3.1] REQUIRES_WORK_SELECTION: the extended channels mine the jobs they set. */
  #workSelection = false;
  #declarator: JobDeclarationSession | undefined;
  /** [sv2 5.3.1] Without REQUIRES_STANDARD_JOBS the standard channels' jobs go to their group. */
  #groupJobs: GroupJobs | undefined;

  constructor(
    env: StratumEnvironment,
    sink: Sv2Sink,
    remoteAddress: string,
    protocol: SetupPolicy['protocol'] = 'mining',
  ) {
    this.env = env;
    this.#protocol = protocol;
    this.#sink = sink;
    this.remoteAddress = remoteAddress;
    this.#channels = new ConnectionChannels(env.extranonces, {
      extranonce2Size: env.settings.extranonce2Size,
      initialDifficulty: env.settings.vardiff.startDifficulty,
    });
  }

  get authorized(): boolean {
    return this.#work.size > 0 || (this.#declarator?.authorized ?? false);
  }

  get device(): Sv2Device | undefined {
    return this.#device;
  }

  /** One decoded message from the miner. */
  receive(message: Sv2Message, nowMs: number): void {
    if (this.#device === undefined) {
      if (message.type === 'SetupConnection') {
        this.#setupConnection(message);
      } else {
        this.#protocolError(`${message.type} before SetupConnection`);
      }
      return;
    }
    if (this.#declarator) {
      if (!this.#declarator.receive(message, nowMs)) {
        this.#protocolError(`${message.type} is not a message a Job Declarator Client sends`);
      }
      return;
    }
    switch (message.type) {
      case 'OpenStandardMiningChannel':
      case 'OpenExtendedMiningChannel':
        this.#openChannel(message, nowMs);
        return;
      case 'SubmitSharesStandard':
      case 'SubmitSharesExtended':
        this.#submit(message, nowMs);
        return;
      case 'UpdateChannel':
        this.#updateChannel(message, nowMs);
        return;
      case 'CloseChannel':
        this.#closeChannel(message.channel_id);
        return;
      case 'SetCustomMiningJob':
        this.#sink.send(setCustomMiningJob(this.env, this.#work.get(message.channel_id), message));
        return;
      default:
        this.#protocolError(`${message.type} is not a message a miner sends this pool`);
    }
  }

  #protocolError(reason: string): void {
    this.#sink.penalize(BAD_MESSAGE_PENALTY, reason);
    this.#sink.close(reason);
  }

  /** [sv2 3.6.1, 5.3.1, 6.4.1] */
  #setupConnection(message: MessageOf<'SetupConnection'>): void {
    const declarations = this.env.jobDeclarations;
    const answer = answerSetup(message, {
      protocol: this.#protocol,
      versionMask: this.#poolVersionMask(),
      workSelection: declarations !== undefined,
      coinbaseOnly: declarations?.coinbaseOnly ?? false,
    });
    this.#sink.send(answer.reply);
    if (!answer.ok) {
      this.#sink.close(`SetupConnection refused: ${answer.reply.error_code}`);
      return;
    }
    this.#device = answer.device;
    this.#workSelection = (answer.device.flags & MiningSetupFlags.requiresWorkSelection) !== 0;
    if (this.#protocol === 'mining' && (answer.device.flags & MiningSetupFlags.requiresStandardJobs) === 0) {
      this.#groupJobs = new GroupJobs(this.env, this.#sink, this.#channels.groupChannelId);
    }
    if (this.#protocol === 'job-declaration' && declarations) {
      this.#declarator = new JobDeclarationSession(
        this.env,
        declarations,
        this.#sink,
        this.remoteAddress,
        answer.device.flags,
      );
    }
  }

  /** [BIP320] The bits a V2 miner may roll now: the pool's, less the template's signalling bits. */
  #poolVersionMask(): number {
    return (this.env.settings.versionMask & BIP320_VERSION_MASK & ~this.env.feed.signallingBits) >>> 0;
  }

  /** [sv2 5.3.2–5.3.6] */
  #openChannel(
    message: MessageOf<'OpenStandardMiningChannel'> | MessageOf<'OpenExtendedMiningChannel'>,
    nowMs: number,
  ): void {
    const { env } = this;
    const requestId = message.request_id;
    const refuse = (code: string): void => {
      this.#sink.send({ type: 'OpenMiningChannel.Error', request_id: requestId, error_code: code });
    };
    if (this.#work.size >= env.settings.maxWorkersPerConnection) {
      refuse('too-many-channels');
      return;
    }
    const admitted = admitChannel(env, message);
    if (typeof admitted === 'string') {
      refuse(admitted);
      if (admitted === OpenMiningChannelErrorCode.unknownUser) {
        this.#sink.penalize(FAILED_OPEN_PENALTY, 'unknown user');
      }
      return;
    }
    const opened =
      message.type === 'OpenExtendedMiningChannel'
        ? this.#channels.openExtended(message)
        : this.#channels.openStandard(message, admitted.solo);
    if (opened.type === 'OpenMiningChannel.Error') {
      this.#sink.send(opened);
      return;
    }
    const book = this.#channels.get(opened.channel_id);
    if (!book) {
      throw new Error(`channel ${String(opened.channel_id)} opened but not in the book`);
    }
    const customJobs = this.#workSelection && book.kind === 'extended';
    const channel = startChannel(env, book, admitted, this.#poolVersionMask(), nowMs, customJobs);
    this.#work.set(book.channelId, channel);
    // The start target is vardiff's (nominal_hash_rate, max_target), not the bookkeeping's default.
    const target = this.#channels.retarget(book.channelId, channel.vardiff.difficulty);
    this.#sink.send(target ? { ...opened, target: target.maximum_target } : opened);
    this.#groupJobs?.announce(channel);
    this.sendCurrentJob();
  }

  /** Sends the group, then every channel not reached through it, the current job if it has not had it. */
  sendCurrentJob(): void {
    this.#groupJobs?.sendCurrentJob(this.#work.values(), this.#poolVersionMask());
    for (const channel of this.#work.values()) {
      this.#sendJob(channel);
    }
  }

  /**
   * [sv2 5.3.15–5.3.17] A job on a new previous block goes out as a future job and the
   * SetNewPrevHash that starts it (old jobs end: V1's clean_jobs); another starts at once.
   */
  #sendJob(channel: MiningChannel): void {
    if (channel.customJobs) {
      return;
    }
    const feedJob = this.env.feed.jobFor(channel.registry, channel.soloScript);
    if (!feedJob || feedJob.job === channel.sentJob) {
      return;
    }
    channel.shareSession.versionMask = this.#poolVersionMask();
    const messages = jobMessages(channel, feedJob.job);
    if (!messages) {
      this.env.events.problem('a job id does not fit a Stratum V2 job id', new RangeError(feedJob.job.id));
      return;
    }
    for (const message of messages) {
      this.#sink.send(message);
    }
  }

  /** [sv2 5.3.21] A new difficulty takes effect at once; shares of jobs sent before count at the easier. */
  #retarget(channel: MiningChannel, difficulty: number | undefined): void {
    const message =
      difficulty === undefined ? undefined : this.#channels.retarget(channel.book.channelId, difficulty);
    if (message) {
      this.#sink.send(message);
    }
  }

  /** [sv2 5.3.12–5.3.14] */
  #submit(
    message: MessageOf<'SubmitSharesStandard'> | MessageOf<'SubmitSharesExtended'>,
    nowMs: number,
  ): void {
    const { env } = this;
    const channel = this.#work.get(message.channel_id);
    const sequence = message.sequence_number;
    if (!channel || (message.type === 'SubmitSharesExtended') !== (channel.book.kind === 'extended')) {
      this.#refuseShare(message, SubmitSharesErrorCode.invalidChannelId);
      env.events.shareRejected({
        worker: channel?.identity.worker,
        identity: channel?.identity,
        reason: 'unauthorized',
        remoteAddress: this.remoteAddress,
        timeMs: nowMs,
      });
      this.#countInvalid();
      return;
    }
    const { result, difficulty } = checkShare(env, channel, message);
    if (!result.ok) {
      this.#refuseShare(message, SUBMIT_ERROR[result.reason]);
      env.events.shareRejected({
        worker: channel.identity.worker,
        identity: channel.identity,
        reason: result.reason,
        remoteAddress: this.remoteAddress,
        timeMs: nowMs,
      });
      if (result.reason !== 'stale' && result.reason !== 'duplicate') {
        this.#countInvalid();
      }
      return;
    }
    this.#invalidStreak = 0;
    const credited: CreditedShare = {
      identity: channel.identity,
      solo: channel.soloScript !== undefined,
      share: result,
      // A block below the share target (regtest) counts for what it achieved.
      difficulty: result.meetsShareTarget ? difficulty : Math.min(difficulty, result.difficulty),
      extranonce1: channel.extranonce1,
      remoteAddress: this.remoteAddress,
      userAgent: this.#device?.userAgent,
      timeMs: nowMs,
    };
    if (result.isBlock) {
      env.events.blockFound(credited);
    }
    this.#sink.shareAccepted(channel.book.channelId, sequence, credited.difficulty);
    env.events.shareAccepted(credited);
    this.#retarget(channel, channel.vardiff.recordShare(nowMs));
  }

  /** [sv2 5.3.14] A method, not a closure in #submit: every share would make one. */
  #refuseShare(message: { channel_id: number; sequence_number: number }, code: string): void {
    const { channel_id, sequence_number } = message;
    this.#sink.send({ type: 'SubmitShares.Error', channel_id, sequence_number, error_code: code });
  }

  #countInvalid(): void {
    this.#invalidStreak++;
    if (this.#invalidStreak >= INVALID_STREAK_LIMIT) {
      this.#sink.penalize(INVALID_STREAK_PENALTY, `${String(this.#invalidStreak)} invalid shares in a row`);
      this.#invalidStreak = 0;
    }
  }

  /** [sv2 5.3.7, 5.3.8] A new nominal hash rate and max target; the answer is a SetTarget. */
  #updateChannel(message: MessageOf<'UpdateChannel'>, nowMs: number): void {
    const channel = this.#work.get(message.channel_id);
    const refuse = (code: string): void => {
      this.#sink.send({ type: 'UpdateChannel.Error', channel_id: message.channel_id, error_code: code });
    };
    if (!channel) {
      refuse(UpdateChannelErrorCode.invalidChannelId);
      return;
    }
    const maxTarget = u256ToBigInt(message.maximum_target);
    const floor = difficultyFromTarget(maxTarget);
    if (floor > this.env.settings.vardiff.maxDifficulty) {
      refuse(UpdateChannelErrorCode.maxTargetOutOfRange);
      return;
    }
    channel.book.maxTarget = maxTarget;
    channel.book.nominalHashRate = message.nominal_hash_rate;
    suggestHashRate(this.env, channel.vardiff, message.nominal_hash_rate, nowMs);
    this.#retarget(channel, channel.vardiff.setFloor(floor, nowMs));
  }

  /** [sv2 5.3.9] */
  #closeChannel(channelId: number): void {
    // The group channel's id closes every channel.
    this.#channels.close(channelId);
    for (const id of this.#work.keys()) {
      if (!this.#channels.get(id)) {
        this.#work.delete(id);
      }
    }
  }

  /** Time passing: vardiff lowers the target of a channel that has gone quiet. */
  tick(nowMs: number): void {
    for (const channel of this.#work.values()) {
      this.#retarget(channel, channel.vardiff.tick(nowMs));
    }
  }

  /** [sv2 3.6.5] Empty host and port 0: reconnect to this pool, as V1's client.reconnect without params. */
  reconnect(): void {
    this.#sink.send({ type: 'Reconnect', new_host: '', new_port: 0 });
  }

  /** V2 has no message for text to the miner; a ban's reason is in the pool's log. */
  showMessage(): void {
    return;
  }

  /**
   * [sv2 5.3.10] The node's id moved: the channels' extranonce1s belong to another node's
   * range now. Each channel gets one of the new range in a SetExtranoncePrefix; the jobs the
   * server reissues next start their work afresh.
   */
  moveExtranonce1(): 'moved' | 'reconnect' | 'not subscribed' {
    if (this.#work.size === 0) {
      return 'not subscribed';
    }
    for (const channel of this.#work.values()) {
      const message = this.#channels.moveExtranonce(channel.book.channelId);
      if (message) {
        channel.extranonce1 = extranonceToBytes(channel.book.extranonce1);
        channel.shareSession.extranonce1 = channel.extranonce1;
        this.#sink.send(message);
      }
    }
    return 'moved';
  }

  /** The connection is gone: frees the channels' extranonce1s for others. */
  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;
    this.#channels.closeAll();
    this.#work.clear();
  }
}
