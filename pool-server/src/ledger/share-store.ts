import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import Type, { type Static } from 'typebox';
import { binaryCopySlices, type CopyColumn } from '../db/binary-copy.ts';
import { TimeSlices } from '../db/time-slices.ts';
import type { Database } from '../db/pool.ts';
import { accumulateOnConflict, ROLLUP_COLUMNS, ROLLUP_SUMS } from './rollups.ts';
import {
  BatchRollups,
  NO_ACCOUNT,
  NO_WORKER,
  type AccountIds,
  type RejectKind,
  type Rollup,
  type WorkerIds,
} from './batch-rollups.ts';
import { withTransaction } from '../db/transaction.ts';
import { ProtocolRecordSchema, recordProtocols, type ProtocolRecord } from './worker-protocols.ts';

/**
 * An accepted share as the ledger keeps it. The schema checks one that arrives from
 * another process (a Stratum node's batch over NATS); the type is drawn from it.
 */
export const ShareRecordSchema = Type.Object({
  timeMs: Type.Number(),
  account: Type.String({ minLength: 1 }),
  worker: Type.String(),
  payoutAddress: Type.Union([Type.String(), Type.Null()]),
  difficulty: Type.Number({ minimum: 0, description: 'The difficulty the share counts for.' }),
  achieved: Type.Number({ minimum: 0 }),
  height: Type.Integer({ minimum: 0 }),
  block: Type.Boolean(),
  solo: Type.Boolean(),
  networkDifficulty: Type.Number({
    minimum: 0,
    description:
      "The network difficulty of the share's job; subsidy and fees: what its block would have paid.",
  }),
  subsidy: Type.Number({ minimum: 0 }),
  fees: Type.Number({ minimum: 0 }),
});
export type ShareRecord = Readonly<Static<typeof ShareRecordSchema>>;

export const RejectRecordSchema = Type.Object({
  timeMs: Type.Number(),
  account: Type.String({ minLength: 1 }),
  worker: Type.String(),
  stale: Type.Boolean(),
  /**
   * Absent in batches an older node journalled or streamed: those said only whether a
   * reject was stale, so the rest count as invalid.
   */
  kind: Type.Optional(
    Type.Union([
      Type.Literal('stale'),
      Type.Literal('duplicate'),
      Type.Literal('low-difficulty'),
      Type.Literal('invalid'),
    ]),
  ),
});
export type RejectRecord = Readonly<Static<typeof RejectRecordSchema>>;

export function rejectKind(reject: RejectRecord): RejectKind {
  return reject.kind ?? (reject.stale ? 'stale' : 'invalid');
}

/**
 * A batch's shares: an array, or the columns a Stratum node fills (share-columns.ts),
 * which make a record per share only when asked for it, so none outlives its use.
 */
export interface ShareList {
  readonly length: number;
  at(index: number): ShareRecord | undefined;
}

/** Shares stored together, once: the batch id makes storing it again a no-op. */
export const ShareBatchSchema = Type.Object({
  id: Type.String({ pattern: '^[0-9a-f-]{36}$' }),
  nodeId: Type.Integer({ minimum: 0, maximum: 255 }),
  shares: Type.Array(ShareRecordSchema),
  rejects: Type.Array(RejectRecordSchema),
  /** The workers that connected meanwhile; absent in batches an older node journalled or streamed. */
  protocols: Type.Optional(Type.Array(ProtocolRecordSchema)),
});
export interface ShareBatch extends Readonly<
  Omit<Static<typeof ShareBatchSchema>, 'shares' | 'rejects' | 'protocols'>
> {
  readonly shares: ShareList;
  readonly rejects: readonly RejectRecord[];
  readonly protocols?: readonly ProtocolRecord[];
}

/**
 * Where a sealed batch goes: the database (ShareStore), or, on a Stratum node of
 * several, the JetStream stream its writers consume (share-stream.ts). Storing a batch
 * twice is harmless: its id makes the second time a duplicate.
 */
export interface BatchSink {
  store(batch: ShareBatch): Promise<'stored' | 'duplicate'>;
}

/** Work done in the batch's transaction by whoever else needs it (PPS credits). */
export type BatchHook = (client: pg.PoolClient, batch: ShareBatch, ids: BatchIds) => Promise<void>;

export interface BatchIds {
  account(name: string): string;
  worker(account: string, worker: string): string;
}

/** The worker ids of a batch's shares and rejects, in their order, looked up once. */
interface RecordIds {
  readonly shares: readonly WorkerIds[];
  readonly rejects: readonly WorkerIds[];
}

/**
 * Visits every item in time slices with the event loop served between them: the
 * Stratum process that stores its own shares keeps answering miners.
 */
async function forEachSliced<T>(
  items: { readonly length: number; at(index: number): T | undefined },
  visit: (item: T, index: number) => void,
): Promise<void> {
  const slices = new TimeSlices();
  for (let index = 0; index < items.length; index++) {
    if (slices.due()) {
      await slices.next();
    }
    visit(items.at(index) as T, index);
  }
}

const SHARE_COLUMNS: readonly CopyColumn[] = [
  'timestamptz',
  'int8',
  'int8',
  'float8',
  'float8',
  'int4',
  'int2',
  'bool',
  'uuid',
];
const DELTA_COLUMNS: readonly CopyColumn[] = [
  'timestamptz',
  'int8',
  'int8',
  'float8',
  'int4',
  'int4',
  'int4',
  'int4',
  'int4',
];

async function copyRows(
  client: pg.PoolClient,
  statement: string,
  data: AsyncIterable<Buffer>,
): Promise<void> {
  await pipeline(Readable.from(data), client.query(copyFrom(statement)));
}

/** Writes share batches: accounts and workers, the shares by COPY, and the rollups, in one transaction. */
export class ShareStore {
  readonly #db: Database;
  readonly #accounts = new Map<string, AccountIds>();
  readonly #hooks: BatchHook[] = [];

  constructor(db: Database) {
    this.#db = db;
  }

  onBatch(hook: BatchHook): void {
    this.#hooks.push(hook);
  }

  /** Stores a batch; 'duplicate' when it was stored before (a replay). */
  async store(batch: ShareBatch): Promise<'stored' | 'duplicate'> {
    return withTransaction(this.#db, async (client) => {
      const inserted = await client.query(
        'INSERT INTO share_batches (id, node_id, share_count) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [batch.id, batch.nodeId, batch.shares.length],
      );
      if (inserted.rowCount === 0) {
        return 'duplicate';
      }
      const records = await this.#resolve(client, batch);
      const rollups = new BatchRollups();
      await this.#copyShares(client, batch, records, rollups);
      batch.rejects.forEach((reject, index) => {
        rollups.refuse(records.rejects[index] ?? NO_WORKER, reject.timeMs, rejectKind(reject));
      });
      await this.#writeRollups(client, rollups);
      const ids: BatchIds = {
        account: (name) => this.#accounts.get(name)?.id ?? NO_ACCOUNT.id,
        worker: (account, worker) => this.#workerIds({ account, worker }).id,
      };
      await recordProtocols(client, batch.protocols ?? [], (account, worker) => ids.worker(account, worker));
      for (const hook of this.#hooks) {
        await hook(client, batch, ids);
      }
      return 'stored';
    });
  }

  #workerIds(record: { readonly account: string; readonly worker: string }): WorkerIds {
    return this.#accounts.get(record.account)?.workers.get(record.worker) ?? NO_WORKER;
  }

  /**
   * Creates the accounts and workers the batch names that the database lacks; the ids
   * of every record. A share of a known worker gets its ids in the pass that looks for
   * unknown ones: only a batch that brings new workers needs a second.
   */
  async #resolve(client: pg.PoolClient, batch: ShareBatch): Promise<RecordIds> {
    const people = new Map<string, string | null>();
    const rigs = new Map<string, Set<string>>();
    const shares = new Array<WorkerIds | undefined>(batch.shares.length);
    let unknown = 0;
    const learn = (record: ShareRecord | RejectRecord | ProtocolRecord): void => {
      const account = this.#accounts.get(record.account);
      if (!account) {
        people.set(record.account, 'payoutAddress' in record ? record.payoutAddress : null);
      }
      if (!account?.workers.has(record.worker)) {
        let workers = rigs.get(record.account);
        if (!workers) {
          workers = new Set();
          rigs.set(record.account, workers);
        }
        workers.add(record.worker);
      }
    };
    await forEachSliced(batch.shares, (share, index) => {
      const known = this.#workerIds(share);
      if (known !== NO_WORKER) {
        shares[index] = known;
      } else {
        unknown++;
        learn(share);
      }
    });
    batch.rejects.forEach(learn);
    batch.protocols?.forEach(learn);
    if (people.size > 0) {
      const names = [...people.keys()].sort();
      await client.query(
        `INSERT INTO accounts (name, payout_address)
           SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (name) DO NOTHING`,
        [names, names.map((name) => people.get(name) ?? null)],
      );
      const found = await client.query<{ id: string; name: string }>(
        'SELECT id, name FROM accounts WHERE name = ANY($1)',
        [names],
      );
      for (const row of found.rows) {
        if (!this.#accounts.has(row.name)) {
          this.#accounts.set(row.name, { id: row.id, key: BigInt(row.id), workers: new Map() });
        }
      }
    }
    if (rigs.size > 0) {
      // In one order for every writer: concurrent inserts of the same workers cannot deadlock.
      const list = [...rigs]
        .flatMap(([account, workers]) => [...workers].map((worker) => ({ account, worker })))
        .sort((a, b) => (a.account + a.worker < b.account + b.worker ? -1 : 1));
      const accountIds = list.map((rig) => this.#accounts.get(rig.account)?.id ?? NO_ACCOUNT.id);
      const names = list.map((rig) => rig.worker);
      await client.query(
        `INSERT INTO workers (account_id, name)
           SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT (account_id, name) DO NOTHING`,
        [accountIds, names],
      );
      const found = await client.query<{ id: string; account: string; name: string }>(
        `SELECT w.id, a.name AS account, w.name FROM workers w
           JOIN accounts a ON a.id = w.account_id
           JOIN unnest($1::bigint[], $2::text[]) AS wanted (account_id, name)
             ON wanted.account_id = w.account_id AND wanted.name = w.name`,
        [accountIds, names],
      );
      for (const row of found.rows) {
        const account = this.#accounts.get(row.account);
        account?.workers.set(row.name, { id: row.id, key: BigInt(row.id), account });
      }
    }
    if (unknown > 0) {
      await forEachSliced(batch.shares, (share, index) => {
        shares[index] ??= this.#workerIds(share);
      });
    }
    return {
      shares: shares as WorkerIds[],
      rejects: batch.rejects.map((reject) => this.#workerIds(reject)),
    };
  }

  /** The batch's shares by COPY, each counted into `rollups` as it is encoded. */
  async #copyShares(
    client: pg.PoolClient,
    batch: ShareBatch,
    ids: RecordIds,
    rollups: BatchRollups,
  ): Promise<void> {
    if (batch.shares.length === 0) {
      return;
    }
    const { shares } = batch;
    await copyRows(
      client,
      'COPY shares (time, account_id, worker_id, difficulty, achieved, height, result, solo, batch_id) FROM STDIN WITH (FORMAT binary)',
      binaryCopySlices(SHARE_COLUMNS, shares.length, (rows, index) => {
        const share = shares.at(index) as ShareRecord;
        const worker = ids.shares[index] ?? NO_WORKER;
        rollups.accept(worker, share.timeMs, share.difficulty);
        rows
          .timestamptz(share.timeMs)
          .int8(worker.account.key)
          .int8(worker.key)
          .float8(share.difficulty)
          .float8(share.achieved)
          .int4(share.height)
          .int2(share.block ? 1 : 0)
          .bool(share.solo)
          .uuid(batch.id);
      }),
    );
  }

  /**
   * The batch's rollup increments: appended to share_rollup_deltas by COPY (no upsert
   * on the write path; foldRollups() folds them), and the pool's own minute, one row.
   */
  async #writeRollups(client: pg.PoolClient, rollups: BatchRollups): Promise<void> {
    const deltas = rollups.workers;
    if (deltas.length === 0) {
      return;
    }
    await copyRows(
      client,
      'COPY share_rollup_deltas (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale, duplicate, low_difficulty) FROM STDIN WITH (FORMAT binary)',
      binaryCopySlices(DELTA_COLUMNS, deltas.length, (rows, index) => {
        const delta = deltas[index] as Rollup;
        rows
          .timestamptz(delta.bucketMs)
          .int8(delta.worker.key)
          .int8(delta.worker.account.key)
          .float8(delta.difficulty)
          .int4(delta.accepted)
          .int4(delta.rejected)
          .int4(delta.stale)
          .int4(delta.duplicate)
          .int4(delta.lowDifficulty);
      }),
    );
    // In time order: concurrent writers lock the pool's minutes in the same order.
    const pool = rollups.pool.sort((a, b) => a.bucketMs - b.bucketMs);
    await client.query(
      `WITH increments AS (
         SELECT * FROM unnest($1::timestamptz[], $2::float8[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[])
           AS i (${ROLLUP_COLUMNS})
       ), minute AS (
         INSERT INTO share_rollups_pool_minute (${ROLLUP_COLUMNS}) SELECT * FROM increments
         ${accumulateOnConflict('share_rollups_pool_minute', 'bucket')}
       )
       INSERT INTO share_rollups_pool_hour (${ROLLUP_COLUMNS})
       SELECT date_bin('1 hour', bucket, 'epoch'), ${ROLLUP_SUMS}
         FROM increments GROUP BY 1 ORDER BY 1
       ${accumulateOnConflict('share_rollups_pool_hour', 'bucket')}`,
      [
        pool.map((rollup) => new Date(rollup.bucketMs).toISOString()),
        pool.map((rollup) => rollup.difficulty),
        pool.map((rollup) => rollup.accepted),
        pool.map((rollup) => rollup.rejected),
        pool.map((rollup) => rollup.stale),
        pool.map((rollup) => rollup.duplicate),
        pool.map((rollup) => rollup.lowDifficulty),
      ],
    );
  }
}
