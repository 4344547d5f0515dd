/**
 * [sv2 5.3.1, 5.3.16, 5.3.24] The group channel's jobs, for a connection that did not set
 * REQUIRES_STANDARD_JOBS (a proxy, say): one NewExtendedMiningJob (and SetNewPrevHash) to the
 * group channel id reaches every standard channel in the group, and the client computes each
 * channel's merkle root from that channel's extranonce_prefix. Shares stay per channel:
 * the job id and the channel's prefix make the same header a NewMiningJob would have.
 * Extended channels are not addressed by group jobs: they keep jobs of their own.
 */
import type { Job } from '../../work/job.ts';
import type { StratumEnvironment } from '../session-context.ts';
import { rememberJobDifficulty, v2JobId, type MiningChannel } from './channel.ts';
import { jobParts, toNewExtendedMiningJob, toSetNewPrevHash } from './job-translation.ts';
import type { Sv2Sink } from './sv2-sink.ts';

export class GroupJobs {
  readonly #env: StratumEnvironment;
  readonly #sink: Sv2Sink;
  readonly groupChannelId: number;
  #sentJob: Job | undefined;
  #sentPrevhash: Buffer | undefined;

  constructor(env: StratumEnvironment, sink: Sv2Sink, groupChannelId: number) {
    this.#env = env;
    this.#sink = sink;
    this.groupChannelId = groupChannelId;
  }

  /** A standard channel mining the pool's coinbase (a SOLO one is in a group of its own). */
  isMember(channel: MiningChannel): boolean {
    return channel.book.kind === 'standard' && channel.book.groupChannelId === this.groupChannelId;
  }

  /** Tells the client a newly opened member is in the group, before any group job can reach it. */
  announce(channel: MiningChannel): void {
    if (this.isMember(channel)) {
      this.#sink.send({
        type: 'SetGroupChannel',
        group_channel_id: this.groupChannelId,
        channel_ids: [channel.book.channelId],
      });
    }
  }

  /**
   * Sends the group the pool's current job if it has not had it; every member counts it as
   * sent (its difficulty at this moment remembered for its shares). A member that joined
   * after the group's last job has not had that job: the session sends it one of its own.
   */
  sendCurrentJob(channels: Iterable<MiningChannel>, versionMask: number): void {
    const members = [...channels].filter((channel) => this.isMember(channel));
    const feedJob = this.#env.feed.jobFor(this.#env.feed.sharedRegistry, undefined);
    if (members.length === 0 || !feedJob || feedJob.job === this.#sentJob) {
      return;
    }
    const { job } = feedJob;
    const jobId = v2JobId(job);
    if (jobId === undefined) {
      this.#env.events.problem('a job id does not fit a Stratum V2 job id', new RangeError(job.id));
      return;
    }
    const parts = jobParts(job);
    const newBlock = job.cleanJobs || !this.#sentPrevhash?.equals(job.template.prevhashInternal);
    const address = { channelId: this.groupChannelId, jobId, future: newBlock };
    this.#sink.send(toNewExtendedMiningJob(parts, address, versionMask !== 0));
    if (newBlock) {
      this.#sink.send(toSetNewPrevHash(parts, this.groupChannelId, jobId));
    }
    this.#sentJob = job;
    this.#sentPrevhash = job.template.prevhashInternal;
    for (const member of members) {
      member.shareSession.versionMask = versionMask;
      member.sentJob = job;
      member.sentPrevhash = job.template.prevhashInternal;
      rememberJobDifficulty(member, jobId);
    }
  }
}
