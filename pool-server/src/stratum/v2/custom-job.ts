/**
 * [sv2 5.3.18–5.3.20] SetCustomMiningJob: a job declared to the pool's Job Declaration Server
 * (declare-job.ts) becomes an extended channel's job. The fields must be the declared ones
 * (coinbase, merkle path, version outside BIP320's bits) on the pool's current previous
 * block; the job is then an ordinary `Job` in the channel's own registry, so shares on it go
 * through validateShare, the same events and ledger, and a block through the same submitter.
 */
import { EXTRANONCE1_SIZE } from '../../work/coinbase.ts';
import { createJob, type Job } from '../../work/job.ts';
import type { PreparedTemplate } from '../../work/template.ts';
import { MAX_NTIME_AHEAD_SECONDS } from '../../work/validate-share.ts';
import { BIP320_VERSION_MASK } from '../../work/version-rolling.ts';
import type { StratumEnvironment } from '../session-context.ts';
import { rememberJobDifficulty, type MiningChannel } from './channel.ts';
import { splitDeclaredCoinbase } from './declared-coinbase.ts';
import type { DeclaredJob } from './declare-job.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import { invalidJobParamValue, SetCustomMiningJobErrorCode } from './protocol-constants.ts';

/** The first field of SetCustomMiningJob that differs from the declaration, or undefined. */
function mismatch(message: MessageOf<'SetCustomMiningJob'>, declared: DeclaredJob): string | undefined {
  const { coinbase, template } = declared;
  const checks: readonly (readonly [field: string, same: boolean])[] = [
    ['prev_hash', message.prev_hash.equals(template.prevhashInternal)],
    ['nbits', message.nbits === template.bits],
    ['version', ((message.version ^ declared.version) & ~BIP320_VERSION_MASK) === 0],
    [
      'min_ntime',
      message.min_ntime >= template.mintime &&
        message.min_ntime <= template.curtime + MAX_NTIME_AHEAD_SECONDS,
    ],
    ['coinbase_tx_version', message.coinbase_tx_version === coinbase.version],
    ['coinbase_prefix', message.coinbase_prefix.equals(coinbase.scriptSigPrefix)],
    ['coinbase_tx_input_nSequence', message.coinbase_tx_input_nSequence === coinbase.sequence],
    ['coinbase_tx_outputs', message.coinbase_tx_outputs.equals(coinbase.outputsBytes)],
    ['coinbase_tx_locktime', message.coinbase_tx_locktime === coinbase.locktime],
    [
      'merkle_path',
      message.merkle_path.length === declared.merkleBranch.length &&
        message.merkle_path.every((step, index) =>
          step.equals(declared.merkleBranch[index] ?? Buffer.alloc(0)),
        ),
    ],
  ];
  return checks.find(([, same]) => !same)?.[0];
}

/**
 * The declared job as the work engine's Job: its own template (the declared transactions,
 * version and times; the reward is what the coinbase pays the pool) and coinbase, split
 * around extranonce1 and the channel's extranonce2 bytes.
 */
export function declaredJobAsJob(
  id: string,
  declared: DeclaredJob,
  version: number,
  minNtime: number,
  extranonce2Size: number,
): Job {
  const { template, coinbase } = declared;
  const subsidy = template.coinbaseValue - template.fees;
  const custom: PreparedTemplate = {
    ...template,
    version,
    curtime: Math.max(minNtime, template.curtime),
    coinbaseValue: declared.poolValue,
    fees: declared.poolValue - subsidy,
    transactions: declared.transactions,
    merkleBranch: declared.merkleBranch,
    transactionSigops: declared.sigopCost,
    transactionFacts: [],
  };
  const { coinb1, coinb2 } = splitDeclaredCoinbase(coinbase, EXTRANONCE1_SIZE + extranonce2Size);
  return createJob(
    id,
    custom,
    { coinb1, coinb2, extranonce2Size, witness: coinbase.witnessCommitment !== undefined },
    false,
  );
}

/**
 * [sv2 5.3.18] Handles SetCustomMiningJob for `channel` (undefined: no such channel, or one
 * that cannot take custom jobs); the answer to send.
 */
export function setCustomMiningJob(
  env: StratumEnvironment,
  channel: MiningChannel | undefined,
  message: MessageOf<'SetCustomMiningJob'>,
): Sv2Message {
  const { channel_id: channelId, request_id: requestId } = message;
  const refuse = (code: string): Sv2Message => ({
    type: 'SetCustomMiningJob.Error',
    channel_id: channelId,
    request_id: requestId,
    error_code: code,
  });
  // A SOLO channel's shares are the finder's: a declared coinbase pays the pool.
  if (!channel?.customJobs || channel.soloScript !== undefined) {
    return refuse(SetCustomMiningJobErrorCode.invalidChannelId);
  }
  const declaration = env.jobDeclarations?.declared(message.mining_job_token);
  if (!declaration) {
    return refuse(SetCustomMiningJobErrorCode.invalidMiningJobToken);
  }
  const field = mismatch(message, declaration.job);
  if (field !== undefined) {
    return refuse(invalidJobParamValue(field));
  }
  // Declared on a block the pool has moved past: the job is stale before it starts.
  const current = env.feed.template;
  if (!current?.prevhashInternal.equals(declaration.job.template.prevhashInternal)) {
    return refuse(invalidJobParamValue('prev_hash'));
  }
  const jobId = channel.nextCustomJobId++;
  const job = declaredJobAsJob(
    jobId.toString(16),
    declaration.job,
    message.version,
    message.min_ntime,
    env.settings.extranonce2Size,
  );
  channel.registry.add(job);
  channel.sentJob = job;
  channel.sentPrevhash = job.template.prevhashInternal;
  rememberJobDifficulty(channel, jobId);
  return { type: 'SetCustomMiningJob.Success', channel_id: channelId, request_id: requestId, job_id: jobId };
}
