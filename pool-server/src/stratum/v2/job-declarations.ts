/**
 * The Job Declaration Server's book, shared by the JDS connections and the Mining-protocol
 * sessions of one Stratum process: mining job tokens (allocated, then spent by one
 * DeclareMiningJob), the jobs declared under the tokens DeclareMiningJob.Success hands out
 * (which SetCustomMiningJob names), and the transactions of the node's recent templates by
 * wtxid. Bounded: the oldest tokens are forgotten first.
 */
import { randomBytes } from 'node:crypto';
import type { PreparedTemplate } from '../../work/template.ts';
import type { WorkerIdentity } from '../worker-identity.ts';
import { poolCoinbaseOutputs } from './declared-coinbase.ts';
import { describeTransaction, type DeclaredJob, type KnownTransaction } from './declare-job.ts';

export interface JobDeclarationSettings {
  /** The pool's payout script: the output every declared coinbase must pay. */
  readonly poolScript: Buffer;
  /** The full extended extranonce of the pool's channels: extranonce1 and extranonce2 bytes. */
  readonly extranonceSize: number;
  /** Tokens (allocated or declared) kept at once, over every connection. */
  readonly maxTokens?: number;
}

/** Who declared a job, and the job. */
export interface Declaration {
  readonly identity: WorkerIdentity;
  readonly job: DeclaredJob;
}

type TokenState =
  | { readonly kind: 'allocated'; readonly identity: WorkerIdentity }
  | { readonly kind: 'spent' }
  | ({ readonly kind: 'declared' } & Declaration);

/** 16 random bytes: a token cannot be guessed, and a client's tokens tell nothing of others'. */
const TOKEN_BYTES = 16;
const DEFAULT_MAX_TOKENS = 65_536;
/** Templates whose transactions a declaration may name: the current one and the one before. */
const INDEXED_TEMPLATES = 2;

export class JobDeclarations {
  readonly poolScript: Buffer;
  readonly extranonceSize: number;
  /** [sv2 6.4.3] AllocateMiningJobToken.Success's coinbase_tx_outputs, the same for every token. */
  readonly poolOutputs: Buffer;
  readonly #maxTokens: number;
  readonly #tokens = new Map<string, TokenState>();
  #indexes: { readonly template: PreparedTemplate; readonly byWtxid: Map<string, KnownTransaction> }[] = [];

  constructor(settings: JobDeclarationSettings) {
    this.poolScript = settings.poolScript;
    this.extranonceSize = settings.extranonceSize;
    this.poolOutputs = poolCoinbaseOutputs(settings.poolScript);
    this.#maxTokens = settings.maxTokens ?? DEFAULT_MAX_TOKENS;
  }

  /** [sv2 6.4.2] A fresh token for an authorized client. */
  allocate(identity: WorkerIdentity): Buffer {
    const token = randomBytes(TOKEN_BYTES);
    this.#remember(token, { kind: 'allocated', identity });
    return token;
  }

  /** Spends an allocated token: who it was allocated to, or undefined for a token unknown or used. */
  spend(token: Buffer): WorkerIdentity | undefined {
    const key = token.toString('hex');
    const state = this.#tokens.get(key);
    if (state?.kind !== 'allocated') {
      return undefined;
    }
    this.#tokens.set(key, { kind: 'spent' });
    return state.identity;
  }

  /** [sv2 6.4.5] Records an accepted declaration under a new token, which SetCustomMiningJob will name. */
  declare(declaration: Declaration): Buffer {
    const token = randomBytes(TOKEN_BYTES);
    this.#remember(token, { kind: 'declared', ...declaration });
    return token;
  }

  /** Forgets a token, whatever it stands for. */
  forget(token: Buffer): void {
    this.#tokens.delete(token.toString('hex'));
  }

  /** The declaration a DeclareMiningJob.Success token stands for. */
  declared(token: Buffer): Declaration | undefined {
    const state = this.#tokens.get(token.toString('hex'));
    return state?.kind === 'declared' ? state : undefined;
  }

  /**
   * The transactions of `template` and of the template before it, by wtxid (internal order,
   * hex): the node's mempool as its templates show it. Indexed once per template.
   */
  knownTransactions(template: PreparedTemplate): (wtxidHex: string) => KnownTransaction | undefined {
    if (!this.#indexes.some((index) => index.template === template)) {
      this.#indexes = [{ template, byWtxid: indexTemplate(template) }, ...this.#indexes].slice(
        0,
        INDEXED_TEMPLATES,
      );
    }
    const indexes = this.#indexes;
    return (wtxid) => {
      for (const index of indexes) {
        const found = index.byWtxid.get(wtxid);
        if (found) {
          return found;
        }
      }
      return undefined;
    };
  }

  #remember(token: Buffer, state: TokenState): void {
    this.#tokens.set(token.toString('hex'), state);
    for (const oldest of this.#tokens.keys()) {
      if (this.#tokens.size <= this.#maxTokens) {
        break;
      }
      this.#tokens.delete(oldest);
    }
  }
}

/**
 * The template's transactions as the node described them: no parsing, so that the first
 * declaration after a new block does not hold the Stratum thread. Only a transaction whose
 * sigops the node did not give is read, for its legacy count.
 */
function indexTemplate(template: PreparedTemplate): Map<string, KnownTransaction> {
  const byWtxid = new Map<string, KnownTransaction>();
  template.transactions.forEach((raw, position) => {
    const facts = template.transactionFacts[position];
    if (!facts) {
      return;
    }
    let { sigops } = facts;
    if (sigops === undefined) {
      const described = describeTransaction(raw);
      // The node's own transactions parse; one that did not could never be declared anyway.
      if (typeof described === 'string') {
        return;
      }
      sigops = described.sigopCost;
    }
    byWtxid.set(facts.wtxid.toString('hex'), {
      raw,
      txid: facts.txid,
      wtxid: facts.wtxid,
      fee: facts.fee,
      sigopCost: sigops,
      weight: facts.weight,
      hasWitness: !facts.wtxid.equals(facts.txid),
    });
  });
  return byWtxid;
}
