import type { ShareList, ShareRecord } from './share-store.ts';

/** The numbers a share carries, in the order each share's run of them is kept. */
const NUMBERS = 7;
const BLOCK = 1;
const SOLO = 2;
const INITIAL_CAPACITY = 1_024;

/** Who sent a share: one object per worker, shared by all its shares (ShareLineEncoder.identity makes them). */
export interface ShareIdentity {
  readonly account: string;
  readonly worker: string;
  readonly payoutAddress: string | null;
}

/** A batch's shares as `ShareColumns.pack` hands them to another thread. */
export interface PackedShares {
  readonly numbers: Float64Array<ArrayBuffer>;
  readonly flags: Uint8Array<ArrayBuffer>;
  /** Per share, its index in `identities`. */
  readonly senders: Uint32Array<ArrayBuffer>;
  readonly identities: readonly ShareIdentity[];
}

/**
 * The shares of a batch being filled, column by column: numbers in a Float64Array,
 * flags in bytes, and who sent each as a reference to its worker's identity. A batch
 * lives 200 ms or more before it is stored; as objects, its shares outlived young
 * collections and each was copied by them twice (a scavenge's pause doubled at 50,000
 * shares/s). A record is made when one is asked for (at(), as the store goes through
 * the batch), and dies young.
 */
export class ShareColumns implements ShareList {
  #numbers = new Float64Array(INITIAL_CAPACITY * NUMBERS);
  #flags = new Uint8Array(INITIAL_CAPACITY);
  /**
   * One reference a share, to an identity that lives as long as its worker: nothing per
   * share to collect. Sized with the typed arrays and never emptied, so that reusing the
   * columns does not grow it again (a reference left past the length is overwritten later).
   */
  #identities = new Array<ShareIdentity | undefined>(INITIAL_CAPACITY).fill(undefined);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** `identity`: who sent the share, the same object for all of a worker's shares. */
  push(share: ShareRecord, identity: ShareIdentity): void {
    if (this.#length === this.#flags.length) {
      this.#grow();
    }
    const index = this.#length++;
    const at = index * NUMBERS;
    const numbers = this.#numbers;
    numbers[at] = share.timeMs;
    numbers[at + 1] = share.difficulty;
    numbers[at + 2] = share.achieved;
    numbers[at + 3] = share.height;
    numbers[at + 4] = share.networkDifficulty;
    numbers[at + 5] = share.subsidy;
    numbers[at + 6] = share.fees;
    this.#flags[index] = (share.block ? BLOCK : 0) | (share.solo ? SOLO : 0);
    this.#identities[index] = identity;
  }

  /** Keeps the first `length` shares: those past it were never journalled (ShareWriter's commit failed). */
  truncate(length: number): void {
    this.#length = Math.min(this.#length, Math.max(0, length));
  }

  /** Empties the columns for the next batch, keeping their room: a batch a fifth of a second does not allocate its arrays again. */
  clear(): void {
    this.#length = 0;
  }

  /** The share pushed `index`th, as a record made for the asking; undefined past the end. */
  at(index: number): ShareRecord | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
      return undefined;
    }
    const at = index * NUMBERS;
    const numbers = this.#numbers;
    const flags = this.#flags[index] ?? 0;
    const identity = this.#identities[index] as ShareIdentity;
    return {
      timeMs: numbers[at] ?? 0,
      account: identity.account,
      worker: identity.worker,
      payoutAddress: identity.payoutAddress,
      difficulty: numbers[at + 1] ?? 0,
      achieved: numbers[at + 2] ?? 0,
      height: numbers[at + 3] ?? 0,
      block: (flags & BLOCK) !== 0,
      solo: (flags & SOLO) !== 0,
      networkDifficulty: numbers[at + 4] ?? 0,
      subsidy: numbers[at + 5] ?? 0,
      fees: numbers[at + 6] ?? 0,
    };
  }

  /**
   * The shares as copies of their columns, for another thread: typed arrays it can take
   * over without copying again (`transfer`), and each worker's identity once.
   */
  pack(): PackedShares {
    const identities: ShareIdentity[] = [];
    const indexOf = new Map<ShareIdentity, number>();
    const senders = new Uint32Array(this.#length);
    for (let index = 0; index < this.#length; index++) {
      const identity = this.#identities[index] as ShareIdentity;
      let at = indexOf.get(identity);
      if (at === undefined) {
        at = identities.push(identity) - 1;
        indexOf.set(identity, at);
      }
      senders[index] = at;
    }
    return {
      numbers: this.#numbers.slice(0, this.#length * NUMBERS),
      flags: this.#flags.slice(0, this.#length),
      senders,
      identities,
    };
  }

  /** The columns `pack` made, as another thread received them. */
  static unpack(packed: PackedShares): ShareColumns {
    const { numbers, flags, senders, identities } = packed;
    const length = flags.length;
    if (numbers.length !== length * NUMBERS || senders.length !== length) {
      throw new Error(`packed shares disagree on their count (${String(length)} flags)`);
    }
    const columns = new ShareColumns();
    columns.#numbers = numbers;
    columns.#flags = flags;
    columns.#identities = Array.from(senders, (sender) => {
      const identity = identities[sender];
      if (!identity) {
        throw new Error(`packed share names identity ${String(sender)} of ${String(identities.length)}`);
      }
      return identity;
    });
    columns.#length = length;
    return columns;
  }

  /** JSON.stringify of a batch (a Stratum node's batch sent through NATS) writes the shares as an array of records. */
  toJSON(): ShareRecord[] {
    return Array.from({ length: this.#length }, (_, index) => this.at(index) as ShareRecord);
  }

  #grow(): void {
    const capacity = this.#flags.length * 2;
    const numbers = new Float64Array(capacity * NUMBERS);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
    const flags = new Uint8Array(capacity);
    flags.set(this.#flags);
    this.#flags = flags;
    const identities = new Array<ShareIdentity | undefined>(capacity).fill(undefined);
    for (let index = 0; index < this.#length; index++) {
      identities[index] = this.#identities[index];
    }
    this.#identities = identities;
  }
}
