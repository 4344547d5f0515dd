/**
 * [sv2 5.3.18–5.3.20] SetCustomMiningJob: a job declared to the pool's Job Declaration Server
 * (declare-job.ts) becomes an extended channel's job. The fields must be the declared ones
 * (coinbase, merkle path, version outside BIP320's bits) on the pool's current previous
 * block; the job is then an ordinary `Job` in the channel's own registry, so shares on it go
 * through validateShare, the same events and ledger, and a block through the same submitter.
 *
 * [sv2 6.3.1] Coinbase-only mode: the token is an allocated one, no DeclareMiningJob came,
 * and the job is what SetCustomMiningJob carries, its coinbase checked as a declared one's
 * (it pays the pool the whole reward, at least the subsidy) and its transactions unchecked:
 * the pool never sees them, so neither fees, weight nor validity are known, and a block found
 * on it is the client's to propagate (the pool watches the chain for it).
 */
import { EXTRANONCE1_SIZE } from '../../work/coinbase.ts';
import { encodeHeightPush } from '../../work/coinbase.ts';
import { createJob, type Job } from '../../work/job.ts';
import type { PreparedTemplate } from '../../work/template.ts';
import { MAX_NTIME_AHEAD_SECONDS } from '../../work/validate-share.ts';
import { BIP320_VERSION_MASK } from '../../work/version-rolling.ts';
import type { StratumEnvironment } from '../session-context.ts';
import { rememberJobDifficulty, type MiningChannel } from './channel.ts';
import { readCoinbaseFields, SCRIPTSIG_MAX, splitDeclaredCoinbase } from './declared-coinbase.ts';
import { checkPayouts, type DeclaredJob } from './declare-job.ts';
import type { Declaration, JobDeclarations } from './job-declarations.ts';
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
    merkleBranch: declared.merkleBranch,
    transactionFacts: [],
    // Only a coinbase the pool builds reads the transactions' sigops; a declared job's is the client's.
    ...(declared.mode === 'full-template'
      ? { transactions: declared.transactions, transactionSigops: declared.sigopCost }
      : { transactions: [], transactionSigops: 0, transactionsWithheld: true }),
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
 * [sv2 6.3.1] A Coinbase-only job from SetCustomMiningJob's own fields on the pool's current
 * template: the coinbase read as a declared one (BIP34 height, the pool's outputs), the
 * merkle path taken on trust. A refusal names the field at fault.
 */
function coinbaseOnlyJob(
  message: MessageOf<'SetCustomMiningJob'>,
  template: PreparedTemplate,
  declarations: JobDeclarations,
): DeclaredJob | string {
  const heightPush = encodeHeightPush(template.height);
  if (
    !message.coinbase_prefix.subarray(0, heightPush.length).equals(heightPush) ||
    message.coinbase_prefix.length + declarations.extranonceSize > SCRIPTSIG_MAX
  ) {
    return 'coinbase_prefix';
  }
  const coinbase = readCoinbaseFields(
    {
      version: message.coinbase_tx_version,
      scriptSigPrefix: message.coinbase_prefix,
      sequence: message.coinbase_tx_input_nSequence,
      outputsBytes: message.coinbase_tx_outputs,
      locktime: message.coinbase_tx_locktime,
    },
    declarations.extranonceSize,
    template.height,
  );
  // The scriptSig is checked above: only the outputs can keep the fields from being a coinbase.
  if (typeof coinbase === 'string') {
    return 'coinbase_tx_outputs';
  }
  // No fee is known: the pool's output gets at least the subsidy, and any more is the client's word.
  const paid = checkPayouts(coinbase, declarations.poolScript, template, { sum: 0n, complete: false });
  if (paid.kind === 'refused') {
    return 'coinbase_tx_outputs';
  }
  return {
    mode: 'coinbase-only',
    template,
    version: template.version,
    coinbase,
    merkleBranch: message.merkle_path,
    poolValue: paid.poolValue,
  };
}

/** The declaration SetCustomMiningJob's token stands for, made now for a Coinbase-only token; a string is the refusal's code. */
function declarationFor(
  env: StratumEnvironment,
  message: MessageOf<'SetCustomMiningJob'>,
): { readonly declaration: Declaration; readonly coinbaseOnly: boolean } | string {
  const declarations = env.jobDeclarations;
  const found = declarations?.customJob(message.mining_job_token);
  if (!declarations || !found) {
    return SetCustomMiningJobErrorCode.invalidMiningJobToken;
  }
  if (found.kind === 'declared') {
    return { declaration: found, coinbaseOnly: false };
  }
  const template = env.feed.template;
  if (!template) {
    return invalidJobParamValue('prev_hash');
  }
  const job = coinbaseOnlyJob(message, template, declarations);
  return typeof job === 'string'
    ? invalidJobParamValue(job)
    : { declaration: { identity: found.identity, job }, coinbaseOnly: true };
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
  const found = declarationFor(env, message);
  if (typeof found === 'string') {
    return refuse(found);
  }
  const { declaration } = found;
  const field = mismatch(message, declaration.job);
  if (field !== undefined) {
    return refuse(invalidJobParamValue(field));
  }
  // Declared on a block the pool has moved past: the job is stale before it starts.
  const current = env.feed.template;
  if (!current?.prevhashInternal.equals(declaration.job.template.prevhashInternal)) {
    return refuse(invalidJobParamValue('prev_hash'));
  }
  if (found.coinbaseOnly) {
    env.jobDeclarations?.settle(message.mining_job_token, declaration);
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
