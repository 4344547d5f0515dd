/**
 * The shares accepted on one job, for duplicate detection, each by the low 16 bytes of
 * its hash: equal inputs give equal hashes, and 128 bits of SHA-256 output do not meet
 * by chance. Keys are kept as four 32-bit words in open-addressing tables, not as
 * strings in a Set: no string is made per share and none is left for the garbage
 * collector to trace, a job taking millions of shares. The tables are 256, by the key's
 * first byte, so that growing one rehashes a 256th of the keys, not all of them at once.
 */
const SHARDS = 256;
const INITIAL_SLOTS = 64;
/** Hash bytes a key takes. */
const SHARE_KEY_BYTES = 16;

/** Linear probing on the key's second word, which the shard (its first byte) leaves uniform. */
class KeyTable {
  #words = new Int32Array(INITIAL_SLOTS * 4);
  #mask = INITIAL_SLOTS - 1;
  #size = 0;
  /** All four words zero marks an empty slot; the all-zero key is kept here instead. */
  #hasZeroKey = false;

  add(a: number, b: number, c: number, d: number): boolean {
    if ((a | b | c | d) === 0) {
      const added = !this.#hasZeroKey;
      this.#hasZeroKey = true;
      return added;
    }
    const words = this.#words;
    for (let slot = b & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const at = slot << 2;
      const w0 = words[at] ?? 0;
      const w1 = words[at + 1] ?? 0;
      const w2 = words[at + 2] ?? 0;
      const w3 = words[at + 3] ?? 0;
      if (w0 === a && w1 === b && w2 === c && w3 === d) {
        return false;
      }
      if ((w0 | w1 | w2 | w3) === 0) {
        words[at] = a;
        words[at + 1] = b;
        words[at + 2] = c;
        words[at + 3] = d;
        if (++this.#size * 2 > this.#mask + 1) {
          this.#grow();
        }
        return true;
      }
    }
  }

  #grow(): void {
    const old = this.#words;
    const mask = (this.#mask + 1) * 2 - 1;
    const words = new Int32Array((mask + 1) * 4);
    for (let from = 0; from < old.length; from += 4) {
      if (isEmpty(old, from)) {
        continue;
      }
      let slot = (old[from + 1] ?? 0) & mask;
      while (!isEmpty(words, slot << 2)) {
        slot = (slot + 1) & mask;
      }
      const to = slot << 2;
      words[to] = old[from] ?? 0;
      words[to + 1] = old[from + 1] ?? 0;
      words[to + 2] = old[from + 2] ?? 0;
      words[to + 3] = old[from + 3] ?? 0;
    }
    this.#words = words;
    this.#mask = mask;
  }
}

function isEmpty(words: Int32Array, at: number): boolean {
  return ((words[at] ?? 0) | (words[at + 1] ?? 0) | (words[at + 2] ?? 0) | (words[at + 3] ?? 0)) === 0;
}

/** A little-endian 32-bit word of `bytes` at `offset`, as a signed int (what Int32Array holds). */
function wordAt(bytes: Uint8Array, offset: number): number {
  return (
    (bytes[offset] ?? 0) |
    ((bytes[offset + 1] ?? 0) << 8) |
    ((bytes[offset + 2] ?? 0) << 16) |
    ((bytes[offset + 3] ?? 0) << 24)
  );
}

export class ShareKeySet {
  readonly #shards: (KeyTable | undefined)[] = new Array<KeyTable | undefined>(SHARDS).fill(undefined);

  /** Adds the key of a share whose hash (internal byte order) is `hash`; false when it was there. */
  add(hash: Uint8Array): boolean {
    if (hash.length < SHARE_KEY_BYTES) {
      throw new RangeError(
        `a share key takes ${String(SHARE_KEY_BYTES)} hash bytes, got ${String(hash.length)}`,
      );
    }
    const shard = hash[0] ?? 0;
    let table = this.#shards[shard];
    if (!table) {
      table = new KeyTable();
      this.#shards[shard] = table;
    }
    return table.add(wordAt(hash, 0), wordAt(hash, 4), wordAt(hash, 8), wordAt(hash, 12));
  }
}
