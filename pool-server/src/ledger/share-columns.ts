import type { ShareList, ShareRecord } from './share-store.ts';

/** The numbers a share carries, in the order each share's run of them is kept. */
const NUMBERS = 7;
const BLOCK = 1;
const SOLO = 2;
const INITIAL_CAPACITY = 1_024;

interface Identity {
  readonly account: string;
  readonly worker: string;
  readonly payoutAddress: string | null;
}

/**
 * The shares of a batch being filled, column by column: numbers in a Float64Array,
 * flags in bytes, and who sent each as an index into the batch's few identities. A batch
 * lives 200 ms or more before it is stored; as objects, its shares outlived young
 * collections and each was copied by them twice (a scavenge's pause doubled at 50,000
 * shares/s). A record is made when one is asked for (at(), as the store goes through
 * the batch), and dies young.
 */
export class ShareColumns implements ShareList {
  #numbers = new Float64Array(INITIAL_CAPACITY * NUMBERS);
  #flags = new Uint8Array(INITIAL_CAPACITY);
  #identityOf = new Uint32Array(INITIAL_CAPACITY);
  #length = 0;
  readonly #identities: Identity[] = [];
  /** By account, then worker: the index of its identity in #identities. */
  readonly #identityIndex = new Map<string, Map<string, number>>();

  get length(): number {
    return this.#length;
  }

  push(share: ShareRecord): void {
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
    this.#identityOf[index] = this.#identity(share.account, share.worker, share.payoutAddress);
  }

  /** Empties the columns for the next batch, keeping their room: a batch a fifth of a second does not allocate its arrays again. */
  clear(): void {
    this.#length = 0;
    this.#identities.length = 0;
    this.#identityIndex.clear();
  }

  /** The share pushed `index`th, as a record made for the asking; undefined past the end. */
  at(index: number): ShareRecord | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.#length) {
      return undefined;
    }
    const at = index * NUMBERS;
    const numbers = this.#numbers;
    const flags = this.#flags[index] ?? 0;
    const identity = this.#identities[this.#identityOf[index] ?? 0] as Identity;
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

  /** JSON.stringify of a batch (a Stratum node's batch sent through NATS) writes the shares as an array of records. */
  toJSON(): ShareRecord[] {
    return Array.from({ length: this.#length }, (_, index) => this.at(index) as ShareRecord);
  }

  #identity(account: string, worker: string, payoutAddress: string | null): number {
    let workers = this.#identityIndex.get(account);
    const known = workers?.get(worker);
    if (known !== undefined && this.#identities[known]?.payoutAddress === payoutAddress) {
      return known;
    }
    if (!workers) {
      workers = new Map();
      this.#identityIndex.set(account, workers);
    }
    // A new worker, or one whose payout address changed within the batch: the later shares carry the new one.
    const index = this.#identities.push({ account, worker, payoutAddress }) - 1;
    workers.set(worker, index);
    return index;
  }

  #grow(): void {
    const capacity = this.#flags.length * 2;
    const numbers = new Float64Array(capacity * NUMBERS);
    numbers.set(this.#numbers);
    this.#numbers = numbers;
    const flags = new Uint8Array(capacity);
    flags.set(this.#flags);
    this.#flags = flags;
    const identityOf = new Uint32Array(capacity);
    identityOf.set(this.#identityOf);
    this.#identityOf = identityOf;
  }
}
