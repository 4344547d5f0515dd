/**
 * [sv2 6.4] One Job Declarator Client's connection to the pool's Job Declaration Server, no
 * socket and no clock: AllocateMiningJobToken for an authorized user; in Full-Template mode
 * (6.3.2), DeclareMiningJob checked (declare-job.ts) and answered at once or after
 * ProvideMissingTransactions, PushSolution rebuilt into a block and, when it meets the
 * network target, submitted as the pool's own blocks are. In Coinbase-only mode (6.3.1) the
 * tokens are all there is: SetCustomMiningJob names them (custom-job.ts), and a
 * DeclareMiningJob, ProvideMissingTransactions.Success or PushSolution is a protocol error.
 */
import { EXTRANONCE1_SIZE } from '../../work/coinbase.ts';
import { writeHeader } from '../../work/header.ts';
import { foldMerkleBranch } from '../../work/merkle.ts';
import { sha256d } from '../../work/sha256d.ts';
import { difficultyOfHash, hashMeetsTarget } from '../../work/target.ts';
import type { StratumEnvironment } from '../session-context.ts';
import { declaredJobAsJob } from './custom-job.ts';
import { checkDeclaration, describeTransaction, type KnownTransaction } from './declare-job.ts';
import type { Declaration, DeclarationMode, JobDeclarations, TokenHolder } from './job-declarations.ts';
import type { MessageOf, Sv2Message } from './message-table.ts';
import {
  DeclareMiningJobErrorCode,
  invalidJobParamValue,
  JobDeclarationSetupFlags,
} from './protocol-constants.ts';
import type { Sv2Sink } from './sv2-sink.ts';

/** Declarations waiting for their missing transactions, per connection. */
const MAX_PENDING_DECLARATIONS = 16;
const UNKNOWN_USER_PENALTY = 10;
const WRONG_MODE_PENALTY = 20;
/** The job id a PushSolution's block is submitted under: it was never a channel's. */
const PUSHED_JOB_ID = 'pushed';

interface Pending {
  readonly message: MessageOf<'DeclareMiningJob'>;
  readonly declarer: Declaration['identity'];
  readonly positions: readonly number[];
}

export class JobDeclarationSession {
  readonly #env: StratumEnvironment;
  readonly #declarations: JobDeclarations;
  readonly #sink: Sv2Sink;
  readonly #remoteAddress: string;
  readonly #pending = new Map<number, Pending>();
  /** [sv2 6.4.9] PushSolution is for the most recent DeclareMiningJob.Success sent on this connection. */
  #lastDeclared: Declaration | undefined;
  #allocated = false;
  /** What this connection's tokens are counted against. */
  readonly #holder: TokenHolder;
  /** [sv2 6.4.1] Full-Template when SetupConnection set DECLARE_TX_DATA, Coinbase-only otherwise. */
  readonly #mode: DeclarationMode;

  constructor(
    env: StratumEnvironment,
    declarations: JobDeclarations,
    sink: Sv2Sink,
    remoteAddress: string,
    setupFlags: number,
  ) {
    this.#env = env;
    this.#mode =
      (setupFlags & JobDeclarationSetupFlags.declareTxData) === 0 ? 'coinbase-only' : 'full-template';
    this.#declarations = declarations;
    this.#sink = sink;
    this.#remoteAddress = remoteAddress;
    this.#holder = { address: remoteAddress };
  }

  /** A token has been allocated: the client is an authorized user. */
  get authorized(): boolean {
    return this.#allocated;
  }

  /** One message after SetupConnection; false when it is not one a Job Declarator Client sends. */
  receive(message: Sv2Message, nowMs: number): boolean {
    if (message.type !== 'AllocateMiningJobToken' && this.#mode === 'coinbase-only') {
      return this.#wrongMode(message);
    }
    switch (message.type) {
      case 'AllocateMiningJobToken':
        this.#allocate(message);
        return true;
      case 'DeclareMiningJob':
        this.#declare(message);
        return true;
      case 'ProvideMissingTransactions.Success':
        this.#provided(message);
        return true;
      case 'PushSolution':
        this.#pushSolution(message, nowMs);
        return true;
      default:
        return false;
    }
  }

  /** [sv2 6.3.1, 6.4.4, 6.4.9] Coinbase-only: "the DeclareMiningJob message is never used", nor what follows it. */
  #wrongMode(message: Sv2Message): boolean {
    const fullTemplateOnly = ['DeclareMiningJob', 'ProvideMissingTransactions.Success', 'PushSolution'];
    if (!fullTemplateOnly.includes(message.type)) {
      return false;
    }
    const reason = `${message.type} on a Coinbase-only connection: it needs DECLARE_TX_DATA in SetupConnection`;
    this.#sink.penalize(WRONG_MODE_PENALTY, reason);
    this.#sink.close(reason);
    return true;
  }

  /** [sv2 6.4.2, 6.4.3] The user identifier is authorized as a V1 worker name is (no password). */
  #allocate(message: MessageOf<'AllocateMiningJobToken'>): void {
    const authorized = this.#env.authorizer.authorize(message.user_identifier, undefined);
    if (!authorized.ok) {
      // The protocol has no AllocateMiningJobToken.Error: the client learns by the close.
      this.#sink.penalize(UNKNOWN_USER_PENALTY, 'unknown user');
      this.#sink.close(
        `AllocateMiningJobToken for an unknown user ${JSON.stringify(message.user_identifier)}`,
      );
      return;
    }
    const token = this.#declarations.allocate(authorized.identity, this.#holder, this.#mode);
    if (typeof token === 'string') {
      // No AllocateMiningJobToken.Error either: the close is the refusal, and [sv2 6.2] sends
      // the client to its fallback pool rather than leave it waiting.
      this.#sink.close(`AllocateMiningJobToken refused: ${token}`);
      return;
    }
    this.#allocated = true;
    this.#sink.send({
      type: 'AllocateMiningJobToken.Success',
      request_id: message.request_id,
      mining_job_token: token,
      coinbase_tx_outputs: this.#declarations.poolOutputs,
    });
  }

  #refuse(requestId: number, code: string, details: string): void {
    this.#sink.send({
      type: 'DeclareMiningJob.Error',
      request_id: requestId,
      error_code: code,
      error_details: Buffer.from(details, 'utf8'),
    });
  }

  /** [sv2 6.4.4] The token is spent whatever the outcome: a refused client allocates another. */
  #declare(message: MessageOf<'DeclareMiningJob'>): void {
    const declarer = this.#declarations.spend(message.mining_job_token, this.#holder);
    if (!declarer) {
      this.#refuse(
        message.request_id,
        DeclareMiningJobErrorCode.invalidMiningJobToken,
        'the token was never allocated on this connection, has expired, or was already used',
      );
      return;
    }
    this.#judge(message, declarer, new Map());
  }

  #judge(
    message: MessageOf<'DeclareMiningJob'>,
    declarer: Declaration['identity'],
    provided: ReadonlyMap<number, KnownTransaction>,
  ): void {
    const template = this.#env.feed.template;
    if (!template) {
      this.#refuse(message.request_id, invalidJobParamValue('version'), 'the pool has no template yet');
      return;
    }
    const outcome = checkDeclaration(
      message,
      {
        template,
        poolScript: this.#declarations.poolScript,
        extranonceSize: this.#declarations.extranonceSize,
        known: this.#declarations.knownTransactions(template),
      },
      provided,
    );
    switch (outcome.kind) {
      case 'refused':
        this.#refuse(message.request_id, outcome.code, outcome.details);
        return;
      case 'missing':
        if (provided.size > 0 || this.#pending.size >= MAX_PENDING_DECLARATIONS) {
          this.#refuse(
            message.request_id,
            invalidJobParamValue('wtxid_list'),
            provided.size > 0
              ? 'transactions are still missing after they were provided'
              : 'too many declarations wait for their transactions',
          );
          return;
        }
        this.#pending.set(message.request_id, { message, declarer, positions: outcome.positions });
        this.#sink.send({
          type: 'ProvideMissingTransactions',
          request_id: message.request_id,
          unknown_tx_position_list: [...outcome.positions],
        });
        return;
      case 'declared': {
        const declaration = { identity: declarer, job: outcome.job };
        this.#lastDeclared = declaration;
        this.#sink.send({
          type: 'DeclareMiningJob.Success',
          request_id: message.request_id,
          new_mining_job_token: this.#declarations.declare(declaration, this.#holder),
        });
      }
    }
  }

  /** [sv2 6.4.8] The transactions asked for, in the order asked; each must be the one declared there. */
  #provided(message: MessageOf<'ProvideMissingTransactions.Success'>): void {
    const pending = this.#pending.get(message.request_id);
    if (!pending) {
      this.#refuse(
        message.request_id,
        invalidJobParamValue('request_id'),
        'no declaration waits for transactions',
      );
      return;
    }
    this.#pending.delete(message.request_id);
    const { positions } = pending;
    if (message.transaction_list.length !== positions.length) {
      this.#refuse(
        message.request_id,
        invalidJobParamValue('transaction_list'),
        `${String(positions.length)} transactions were asked for, ${String(message.transaction_list.length)} came`,
      );
      return;
    }
    const provided = new Map<number, KnownTransaction>();
    for (const [index, raw] of message.transaction_list.entries()) {
      const position = positions[index] ?? 0;
      const described = describeTransaction(raw);
      const declared = pending.message.wtxid_list[position];
      if (typeof described === 'string' || !declared || !described.wtxid.equals(declared)) {
        this.#refuse(
          message.request_id,
          invalidJobParamValue('transaction_list'),
          `transaction ${String(index)} is ${typeof described === 'string' ? described : 'not the one declared at its position'}`,
        );
        return;
      }
      provided.set(position, described);
    }
    this.#judge(pending.message, pending.declarer, provided);
  }

  /**
   * [sv2 6.4.9] The block of the last declared job with the client's extranonce, nonce and
   * header fields, submitted when its hash meets the network target. [sv2 6.4.9] defines no
   * reply to PushSolution (6.4 has none, and the client propagates the block itself through
   * SubmitSolution): a solution that is no block is logged and dropped.
   */
  #pushSolution(message: MessageOf<'PushSolution'>, nowMs: number): void {
    const declaration = this.#lastDeclared;
    const extranonce2Size = this.#env.settings.extranonce2Size;
    if (!declaration || message.extranonce.length !== EXTRANONCE1_SIZE + extranonce2Size) {
      this.#env.events.problem(
        'a PushSolution without a declared job, or with an extranonce of the wrong size',
        new RangeError(this.#remoteAddress),
      );
      return;
    }
    const job = declaredJobAsJob(
      PUSHED_JOB_ID,
      declaration.job,
      message.version,
      message.ntime,
      extranonce2Size,
    );
    const extranonce1 = message.extranonce.subarray(0, EXTRANONCE1_SIZE);
    const extranonce2 = message.extranonce.subarray(EXTRANONCE1_SIZE);
    const { coinb1, coinb2 } = job.coinbase;
    const root = foldMerkleBranch(
      sha256d(Buffer.concat([coinb1, extranonce1, extranonce2, coinb2])),
      job.template.merkleBranch,
    );
    const header = writeHeader(Buffer.alloc(80), {
      version: message.version,
      prevhashInternal: message.prev_hash,
      merkleRootInternal: root,
      ntime: message.ntime,
      bits: message.nbits,
      nonce: message.nonce,
    });
    const hash = sha256d(header);
    if (
      !message.prev_hash.equals(job.template.prevhashInternal) ||
      message.nbits !== job.template.bits ||
      !hashMeetsTarget(hash, job.template.networkTargetLE)
    ) {
      this.#env.events.problem(
        'a PushSolution that is not a block of the last declared job',
        new RangeError(this.#remoteAddress),
      );
      return;
    }
    const difficulty = difficultyOfHash(hash);
    this.#env.events.blockFound({
      identity: declaration.identity,
      solo: false,
      share: {
        ok: true,
        job,
        worker: declaration.identity.worker,
        extranonce2: extranonce2.toString('hex'),
        version: message.version,
        ntime: message.ntime,
        nonce: message.nonce,
        header,
        hash,
        difficulty,
        isBlock: true,
        meetsShareTarget: true,
      },
      difficulty,
      extranonce1,
      remoteAddress: this.#remoteAddress,
      userAgent: undefined,
      timeMs: nowMs,
    });
  }
}
