/**
 * The Job Declaration Server's book, shared by the JDS connections and the Mining-protocol
 * sessions of one Stratum process: mining job tokens (allocated, then spent by one
 * DeclareMiningJob), the jobs declared under the tokens DeclareMiningJob.Success hands out
 * (which SetCustomMiningJob names), and the transactions of the node's recent templates by
 * wtxid. [sv2 6.3.1] Under Coinbase-only mode SetCustomMiningJob names the allocated token
 * itself, and the first job set under it becomes the token's declaration.
 *
 * Bounded per client, never globally: a token lasts `tokenLifetimeMs`, a connection holds at
 * most MAX_TOKENS_PER_CONNECTION and an address MAX_TOKENS_PER_ADDRESS. Past a cap the
 * client's own oldest declared job is forgotten or, if it has none, its allocation refused;
 * no client's tokens are ever forgotten for another's.
 */
import { randomBytes } from 'node:crypto';
import type { PreparedTemplate } from '../../work/template.ts';
import type { WorkerIdentity } from '../worker-identity.ts';
import { poolCoinbaseOutputs } from './declared-coinbase.ts';
import { describeTransaction, type DeclaredJob, type KnownTransaction } from './declare-job.ts';

/**
 * [sv2 6.4.2] Tokens (allocated or declared, unexpired) one connection holds. A Job Declarator
 * Client needs one token per template it declares and a few allocated ahead; its declared jobs
 * matter only until SetCustomMiningJob names them, seconds later, and PushSolution reads only
 * the last.
 */
export const MAX_TOKENS_PER_CONNECTION = 64;
/**
 * Tokens all the connections from one address hold: a connection's tokens outlive it (until
 * they expire), so without this a client reconnecting in a loop would hold any number.
 * 16 connections' worth: a farm's several Job Declarator Clients behind one NAT.
 */
export const MAX_TOKENS_PER_ADDRESS = 16 * MAX_TOKENS_PER_CONNECTION;

export interface JobDeclarationSettings {
  /** The pool's payout script: the output every declared coinbase must pay. */
  readonly poolScript: Buffer;
  /** The full extended extranonce of the pool's channels: extranonce1 and extranonce2 bytes. */
  readonly extranonceSize: number;
  /** How long a token lasts unused (stratum.jdsTokenLifetimeSeconds). */
  readonly tokenLifetimeMs: number;
  /** The clock tokens expire by (milliseconds). */
  readonly now: () => number;
  /** [sv2 6.3.1] Clients may withhold their transactions (stratum.jdsCoinbaseOnly). */
  readonly coinbaseOnly: boolean;
}

/** Who declared a job, and the job. */
export interface Declaration {
  readonly identity: WorkerIdentity;
  readonly job: DeclaredJob;
}

/** A Job Declaration connection: the tokens it was given are counted against it and its address. */
export interface TokenHolder {
  readonly address: string;
}

/** [sv2 6.3] The mode a connection's SetupConnection chose, by DECLARE_TX_DATA. */
export type DeclarationMode = DeclaredJob['mode'];

type TokenState =
  | { readonly kind: 'allocated'; readonly identity: WorkerIdentity; readonly mode: DeclarationMode }
  | ({ readonly kind: 'declared' } & Declaration);

/** What SetCustomMiningJob's token stands for: a declared job, or a Coinbase-only token yet to name one. */
export type CustomJobToken =
  | ({ readonly kind: 'declared' } & Declaration)
  | { readonly kind: 'coinbase-only'; readonly identity: WorkerIdentity };

interface TokenEntry {
  readonly state: TokenState;
  readonly holder: TokenHolder;
  readonly expiresAtMs: number;
}

/** One holder's live tokens: how many, and its declared ones oldest first. */
interface Holding {
  count: number;
  readonly declared: Set<string>;
}

/** 16 random bytes: a token cannot be guessed, and a client's tokens tell nothing of others'. */
const TOKEN_BYTES = 16;
/** Templates whose transactions a declaration may name: the current one and the one before. */
const INDEXED_TEMPLATES = 2;

export class JobDeclarations {
  readonly poolScript: Buffer;
  readonly extranonceSize: number;
  /** [sv2 6.4.3] AllocateMiningJobToken.Success's coinbase_tx_outputs, the same for every token. */
  readonly poolOutputs: Buffer;
  readonly tokenLifetimeMs: number;
  readonly coinbaseOnly: boolean;
  readonly #now: () => number;
  /** Insertion order is expiry order: every token lasts the same time from when it was made. */
  readonly #tokens = new Map<string, TokenEntry>();
  readonly #holdings = new Map<TokenHolder, Holding>();
  readonly #perAddress = new Map<string, number>();
  #indexes: { readonly template: PreparedTemplate; readonly byWtxid: Map<string, KnownTransaction> }[] = [];

  constructor(settings: JobDeclarationSettings) {
    this.poolScript = settings.poolScript;
    this.extranonceSize = settings.extranonceSize;
    this.poolOutputs = poolCoinbaseOutputs(settings.poolScript);
    this.tokenLifetimeMs = settings.tokenLifetimeMs;
    this.coinbaseOnly = settings.coinbaseOnly;
    this.#now = settings.now;
  }

  /**
   * [sv2 6.4.2] A fresh token for an authorized client; over a cap, the holder's own oldest
   * declared job is forgotten to make room, and without one the refusal says why.
   */
  allocate(identity: WorkerIdentity, holder: TokenHolder, mode: DeclarationMode): Buffer | string {
    this.#expire();
    const holding = this.#holdings.get(holder);
    const full = (): string | undefined => {
      if ((holding?.count ?? 0) >= MAX_TOKENS_PER_CONNECTION) {
        return `this connection holds ${String(MAX_TOKENS_PER_CONNECTION)} tokens, allocated or declared`;
      }
      if ((this.#perAddress.get(holder.address) ?? 0) >= MAX_TOKENS_PER_ADDRESS) {
        return `connections from ${holder.address} hold ${String(MAX_TOKENS_PER_ADDRESS)} tokens`;
      }
      return undefined;
    };
    let problem = full();
    if (problem !== undefined && holding) {
      const [oldestDeclared] = holding.declared;
      if (oldestDeclared !== undefined) {
        this.#drop(oldestDeclared);
        problem = full();
      }
    }
    if (problem !== undefined) {
      return `${problem}, the most allowed; an unused token lasts ${String(this.tokenLifetimeMs / 1000)} s`;
    }
    return this.#remember({ kind: 'allocated', identity, mode }, holder);
  }

  /**
   * Spends a Full-Template token allocated to `holder`: who it was allocated to, or undefined
   * for a token unknown, expired, used, or allocated on another connection.
   */
  spend(token: Buffer, holder: TokenHolder): WorkerIdentity | undefined {
    this.#expire();
    const key = token.toString('hex');
    const entry = this.#tokens.get(key);
    if (
      entry?.state.kind !== 'allocated' ||
      entry.state.mode !== 'full-template' ||
      entry.holder !== holder
    ) {
      return undefined;
    }
    this.#drop(key);
    return entry.state.identity;
  }

  /**
   * [sv2 6.4.5] Records an accepted declaration under a new token, which SetCustomMiningJob
   * will name. Never refused: `spend` freed the holder's place (which a declaration waiting for
   * its transactions leaves open, so a holder may pass its cap by those, at most 16).
   */
  declare(declaration: Declaration, holder: TokenHolder): Buffer {
    this.#expire();
    return this.#remember({ kind: 'declared', ...declaration }, holder);
  }

  /**
   * What a SetCustomMiningJob's token stands for, while it lasts: a DeclareMiningJob.Success
   * token's declaration, or [sv2 6.3.1] a Coinbase-only allocated token not yet used.
   */
  customJob(token: Buffer): CustomJobToken | undefined {
    this.#expire();
    const state = this.#tokens.get(token.toString('hex'))?.state;
    if (state?.kind === 'allocated') {
      return state.mode === 'coinbase-only' ? { kind: 'coinbase-only', identity: state.identity } : undefined;
    }
    return state;
  }

  /**
   * [sv2 6.3.1] The Coinbase-only job first set under `token` becomes its declaration: the
   * token names that job alone from then on, until it expires.
   */
  settle(token: Buffer, declaration: Declaration): void {
    const key = token.toString('hex');
    const entry = this.#tokens.get(key);
    if (entry?.state.kind !== 'allocated' || entry.state.mode !== 'coinbase-only') {
      return;
    }
    this.#tokens.set(key, { ...entry, state: { kind: 'declared', ...declaration } });
    this.#holdings.get(entry.holder)?.declared.add(key);
  }

  #remember(state: TokenState, holder: TokenHolder): Buffer {
    const token = randomBytes(TOKEN_BYTES);
    const key = token.toString('hex');
    this.#tokens.set(key, { state, holder, expiresAtMs: this.#now() + this.tokenLifetimeMs });
    let holding = this.#holdings.get(holder);
    if (!holding) {
      holding = { count: 0, declared: new Set() };
      this.#holdings.set(holder, holding);
    }
    holding.count += 1;
    if (state.kind === 'declared') {
      holding.declared.add(key);
    }
    this.#perAddress.set(holder.address, (this.#perAddress.get(holder.address) ?? 0) + 1);
    return token;
  }

  #drop(key: string): void {
    const entry = this.#tokens.get(key);
    if (!entry) {
      return;
    }
    this.#tokens.delete(key);
    const { holder } = entry;
    const holding = this.#holdings.get(holder);
    if (holding) {
      holding.count -= 1;
      holding.declared.delete(key);
      if (holding.count === 0) {
        this.#holdings.delete(holder);
      }
    }
    const left = (this.#perAddress.get(holder.address) ?? 1) - 1;
    if (left === 0) {
      this.#perAddress.delete(holder.address);
    } else {
      this.#perAddress.set(holder.address, left);
    }
  }

  /** Forgets the tokens whose time is up: the oldest first, so it stops at the first still alive. */
  #expire(): void {
    const now = this.#now();
    for (const [key, entry] of this.#tokens) {
      if (entry.expiresAtMs > now) {
        return;
      }
      this.#drop(key);
    }
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
