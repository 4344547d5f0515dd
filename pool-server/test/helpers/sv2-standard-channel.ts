/**
 * A standard channel of the test miner (helpers/sv2-client.ts): opened as a header-only
 * device opens it, mined on its own NewMiningJob, shares sent as SubmitSharesStandard.
 */
import type { MessageOf } from '../../src/stratum/v2/message-table.ts';
import { ANY_TARGET, type Sv2Client, type Work } from './sv2-client.ts';

export interface StandardChannel {
  readonly client: Sv2Client;
  readonly opened: MessageOf<'OpenStandardMiningChannel.Success'>;
  job: MessageOf<'NewMiningJob'>;
  prevHash: MessageOf<'SetNewPrevHash'>;
}

/**
 * Opens a standard channel as `worker` on a connection set up with REQUIRES_STANDARD_JOBS
 * and waits for its first job and the SetNewPrevHash that starts it.
 */
export async function openStandardChannel(
  client: Sv2Client,
  worker: string,
  requestId: number,
): Promise<StandardChannel> {
  client.send({
    type: 'OpenStandardMiningChannel',
    request_id: requestId,
    user_identity: worker,
    nominal_hash_rate: 0,
    max_target: ANY_TARGET,
  });
  const opened = await client.next('OpenStandardMiningChannel.Success');
  const job = await client.next('NewMiningJob');
  const prevHash = await client.next('SetNewPrevHash');
  return { client, opened, job, prevHash };
}

/** The header a share on the channel's current job is mined on. */
export function standardWork(channel: StandardChannel): Work {
  return {
    version: channel.job.version,
    prevHash: channel.prevHash.prev_hash,
    merkleRoot: channel.job.merkle_root,
    ntime: channel.prevHash.min_ntime,
    nbits: channel.prevHash.nbits,
  };
}

/** Sends a share on the channel's current job; `changes` makes it a bad one. */
export function submitStandard(
  channel: StandardChannel,
  sequence: number,
  nonce: number,
  changes: Partial<MessageOf<'SubmitSharesStandard'>> = {},
): void {
  const work = standardWork(channel);
  channel.client.send({
    type: 'SubmitSharesStandard',
    channel_id: channel.opened.channel_id,
    sequence_number: sequence,
    job_id: channel.job.job_id,
    nonce,
    ntime: work.ntime,
    version: work.version,
    ...changes,
  });
}
