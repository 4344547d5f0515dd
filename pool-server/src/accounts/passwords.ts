import { randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { HwError } from '../errors.ts';

/**
 * [RFC 7914] scrypt at OWASP's cost for interactive sign-in (Password Storage Cheat
 * Sheet: N = 2^17, r = 8, p = 1; 128 MiB and ~0.3 s a hash on one core here). Stored as
 * scrypt$N$r$p$salt$hash (base64): a hash made at a lower cost still verifies, and is
 * made again at this one at its user's next sign-in.
 */
export const PASSWORD_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
export type ScryptCost = { readonly [K in keyof typeof PASSWORD_COST]: number };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** A stored cost above this is not ours (a damaged or planted hash): refused, never run (1 GiB). */
const MAX_STORED_N = 2 ** 20;
/**
 * Hashes waiting for a thread: thirty people signing in at once all get in, the last
 * after ~16 hash times on two cores (~5 s on idle cores here); a flood past that is
 * refused at once rather than making everyone wait for everyone.
 */
const MAX_WAITING = 32;
/** How long a caller refused for a full queue is asked to wait (Retry-After, seconds). */
const BUSY_RETRY_SECONDS = 2;

interface DeriveTask extends ScryptCost {
  readonly password: string;
  readonly salt: Uint8Array;
  readonly keyBytes: number;
}

export interface HasherOptions {
  /** Hashing threads: one per core by default; each holds 128 MiB while it hashes. */
  readonly threads?: number;
  /** Hashes waiting for a thread, past which a request is refused at once (503) rather than kept waiting. */
  readonly maxQueue?: number;
  readonly cost?: ScryptCost;
}

export interface Verdict {
  readonly valid: boolean;
  /** The stored hash is valid but made at a lower cost than the hasher's: hash the password again. */
  readonly outdated: boolean;
}

/**
 * Password hashing on a small pool of worker threads, never on the event loop nor on
 * libuv's thread pool (which file reads and DNS share), with a bounded queue: thirty
 * sign-ins at once hash a core's worth at a time, and those past the queue are told
 * to come back (HW_ERR_SIGN_IN_BUSY) instead of all waiting for all.
 */
export class PasswordHasher {
  readonly #pool: Piscina<DeriveTask, Uint8Array>;
  readonly #maxQueue: number;
  readonly #cost: ScryptCost;
  /** A hash of no one's password: unknown emails cost as much time as known ones. */
  readonly #decoy: string;

  constructor(options: HasherOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    this.#maxQueue = options.maxQueue ?? MAX_WAITING;
    this.#cost = options.cost ?? PASSWORD_COST;
    this.#pool = new Piscina({
      filename: new URL('./password-thread.mjs', import.meta.url).href,
      minThreads: 0,
      maxThreads: threads,
      maxQueue: this.#maxQueue,
      // Idle threads end (each keeps its 128 MiB only while it hashes, but a thread costs ~10 MiB).
      idleTimeout: 60_000,
    });
    this.#decoy = format(this.#cost, randomBytes(SALT_BYTES), randomBytes(KEY_BYTES));
  }

  /** True when a hash asked for now would be refused: a caller can answer busy before doing anything else. */
  get full(): boolean {
    return this.#pool.queueSize >= this.#maxQueue;
  }

  /** Throws HW_ERR_SIGN_IN_BUSY when a hash asked for now would be refused. */
  ensureRoom(): void {
    if (this.full) {
      throw busy();
    }
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    return format(this.#cost, salt, await this.#derive(password, salt, this.#cost));
  }

  /** Whether `password` is the one `stored` was made from; `stored` undefined spends the same time and says no. */
  async verify(password: string, stored: string | undefined): Promise<Verdict> {
    const parsed = parse(stored ?? this.#decoy);
    if (!parsed) {
      return { valid: false, outdated: false };
    }
    const actual = await this.#derive(password, parsed.salt, parsed.cost);
    const valid =
      stored !== undefined && actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key);
    const outdated = (['N', 'r', 'p'] as const).some((part) => parsed.cost[part] < this.#cost[part]);
    return { valid, outdated: valid && outdated };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  async #derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
    this.ensureRoom();
    try {
      const key = await this.#pool.run({
        password: password.normalize('NFC'),
        salt,
        ...cost,
        keyBytes: KEY_BYTES,
      });
      return Buffer.from(key);
    } catch (error) {
      // piscina's own check of its queue leaves out tasks it holds back, which queueSize
      // counts: its refusal for a full queue is busy as well.
      throw this.full ? busy() : error;
    }
  }
}

function busy(): HwError {
  return new HwError('HW_ERR_SIGN_IN_BUSY', undefined, undefined, BUSY_RETRY_SECONDS);
}

function format(cost: ScryptCost, salt: Buffer, key: Buffer): string {
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { cost: ScryptCost; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const sane =
    Number.isInteger(Math.log2(cost.N)) &&
    cost.N > 1 &&
    cost.N <= MAX_STORED_N &&
    Number.isInteger(cost.r) &&
    cost.r >= 1 &&
    cost.r <= 32 &&
    Number.isInteger(cost.p) &&
    cost.p >= 1 &&
    cost.p <= 16;
  if (scheme !== 'scrypt' || !sane || salt === undefined || key === undefined) {
    return undefined;
  }
  return { cost, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

let shared: PasswordHasher | undefined;

/** The process's hasher, made at first use: every sign-in, password change and new user goes through it. */
export function passwordHasher(): PasswordHasher {
  shared ??= new PasswordHasher();
  return shared;
}

export function hashPassword(password: string): Promise<string> {
  return passwordHasher().hash(password);
}
