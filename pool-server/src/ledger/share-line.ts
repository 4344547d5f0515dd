import Value from 'typebox/value';
import type { WorkerProtocol } from '@hashwatt/schemas';
import type { ShareIdentity } from './share-columns.ts';
import type { RejectKind } from './batch-rollups.ts';
import type { RejectRecord, ShareBatch, ShareRecord } from './share-store.ts';
import { ProtocolRecordSchema, type ProtocolRecord } from './worker-protocols.ts';

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

/** Journal lines: a header with the batch id, then shares, rejects and workers' connections. */
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
  | readonly ['r', number, string, string, 0 | 1, RejectKind?]
  | readonly ['p', number, string, string, string | null, WorkerProtocol];

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

/** The batch a journal file holds, read back: undefined for a file without its header line. */
export function batchFrom(lines: readonly unknown[]): ShareBatch | undefined {
  const [header] = lines as Line[];
  if (header?.[0] !== 'b') {
    return undefined;
  }
  const shares: ShareRecord[] = [];
  const rejects: RejectRecord[] = [];
  const protocols: ProtocolRecord[] = [];
  for (const line of lines.slice(1) as Line[]) {
    if (line[0] === 's') {
      const [
        ,
        timeMs,
        account,
        worker,
        payoutAddress,
        difficulty,
        achieved,
        height,
        block,
        solo,
        networkDifficulty,
        subsidy,
        fees,
      ] = line;
      shares.push({
        timeMs,
        account,
        worker,
        payoutAddress,
        difficulty,
        achieved,
        height,
        block: block === 1,
        solo: solo === 1,
        networkDifficulty,
        subsidy,
        fees,
      });
    } else if (line[0] === 'r') {
      const [, timeMs, account, worker, stale, kind] = line;
      rejects.push({ timeMs, account, worker, stale: stale === 1, ...(kind === undefined ? {} : { kind }) });
    } else if (line[0] === 'p') {
      const [, timeMs, account, worker, payoutAddress, protocol] = line;
      const record = { timeMs, account, worker, payoutAddress, protocol };
      // The database refuses a protocol it does not know, and the batch's shares with it.
      if (Value.Check(ProtocolRecordSchema, record)) {
        protocols.push(record);
      }
    }
  }
  return { id: header[1], nodeId: header[2], shares, rejects, protocols };
}
