import type { ShareIdentity } from './share-columns.ts';
import type { RejectKind } from './batch-rollups.ts';
import type { ShareRecord } from './share-store.ts';

/** Identities whose strings are kept encoded; past this the cache starts again. */
const MAX_IDENTITIES = 65_536;

/** Who sent a share, its strings encoded once: the same object for every share of the worker. */
export interface EncodedIdentity extends ShareIdentity {
  /** `"account","worker","payout"` (or `null`), as JSON.stringify writes them. */
  readonly json: string;
}

/**
 * A share's journal line, the JSON of
 * `['s', timeMs, account, worker, payoutAddress, difficulty, achieved, height, block, solo,
 *   networkDifficulty, subsidy, fees]`, byte for byte what JSON.stringify of that array
 * gives. Written per share on the Stratum thread: a worker's strings, the same in every
 * share it sends, and the template's numbers are encoded once; the rest go in a template literal.
 */
export class ShareLineEncoder {
  readonly #identities = new Map<string, Map<string, EncodedIdentity>>();
  #identityCount = 0;
  #lastTemplate:
    | {
        readonly networkDifficulty: number;
        readonly subsidy: number;
        readonly fees: number;
        readonly json: string;
      }
    | undefined;

  /** `identity`: the share's, from identity(); looked up here when not given. */
  encode(
    share: ShareRecord,
    identity = this.identity(share.account, share.worker, share.payoutAddress),
  ): string {
    const { timeMs, difficulty, achieved, height, networkDifficulty, subsidy, fees } = share;
    if (
      !Number.isFinite(timeMs) ||
      !Number.isFinite(difficulty) ||
      !Number.isFinite(achieved) ||
      !Number.isFinite(height) ||
      !Number.isFinite(networkDifficulty) ||
      !Number.isFinite(subsidy) ||
      !Number.isFinite(fees)
    ) {
      // JSON writes these as null: the template would write NaN or Infinity.
      return JSON.stringify(shareLine(share));
    }
    const template = this.#template(networkDifficulty, subsidy, fees);
    return `["s",${String(timeMs)},${identity.json},${String(difficulty)},${String(achieved)},${String(height)},${share.block ? '1' : '0'},${share.solo ? '1' : '0'},${template}]`;
  }

  /** The template's numbers, the same in every share until the next block: a fraction costs ~0.3 us to write. */
  #template(networkDifficulty: number, subsidy: number, fees: number): string {
    const last = this.#lastTemplate;
    if (last?.networkDifficulty === networkDifficulty && last.subsidy === subsidy && last.fees === fees) {
      return last.json;
    }
    const json = `${String(networkDifficulty)},${String(subsidy)},${String(fees)}`;
    this.#lastTemplate = { networkDifficulty, subsidy, fees, json };
    return json;
  }

  /** The worker's identity, made once and kept (the same object each time) until the cache starts again. */
  identity(account: string, worker: string, payoutAddress: string | null): EncodedIdentity {
    const known = this.#identities.get(account)?.get(worker);
    if (known?.payoutAddress === payoutAddress) {
      return known;
    }
    if (this.#identityCount >= MAX_IDENTITIES) {
      this.#identities.clear();
      this.#identityCount = 0;
    }
    let workers = this.#identities.get(account);
    if (!workers) {
      workers = new Map();
      this.#identities.set(account, workers);
    }
    if (!workers.has(worker)) {
      this.#identityCount++;
    }
    const identity = {
      account,
      worker,
      payoutAddress,
      json: JSON.stringify([account, worker, payoutAddress]).slice(1, -1),
    };
    workers.set(worker, identity);
    return identity;
  }
}

/** Journal lines: a header with the batch id, then shares and rejects. */
export type Line =
  | readonly ['b', string, number]
  | readonly [
      's',
      number,
      string,
      string,
      string | null,
      number,
      number,
      number,
      0 | 1,
      0 | 1,
      number,
      number,
      number,
    ]
  // The kind came later: a reject line an older node wrote ends at the stale flag.
  | readonly ['r', number, string, string, 0 | 1, RejectKind?];

/** The journal line of a share, as an array: JSON.stringify of it is the line. */
export function shareLine(share: ShareRecord): Line {
  return [
    's',
    share.timeMs,
    share.account,
    share.worker,
    share.payoutAddress,
    share.difficulty,
    share.achieved,
    share.height,
    share.block ? 1 : 0,
    share.solo ? 1 : 0,
    share.networkDifficulty,
    share.subsidy,
    share.fees,
  ];
}
