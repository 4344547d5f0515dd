import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BinaryCopyBuffer, type CopyColumn } from '../db/binary-copy.ts';
import type { Database } from '../db/pool.ts';
import { accumulateOnConflict, ROLLUP_COLUMNS } from './rollups.ts';
import { withTransaction } from '../db/transaction.ts';

/** An accepted share as the ledger keeps it. */
export interface ShareRecord {
  readonly timeMs: number;
  readonly account: string;
  readonly worker: string;
  readonly payoutAddress: string | null;
  /** The difficulty the share counts for. */
  readonly difficulty: number;
  readonly achieved: number;
  readonly height: number;
  readonly block: boolean;
  readonly solo: boolean;
  /** The network difficulty of the share's job, and what its block would have paid. */
  readonly networkDifficulty: number;
  readonly subsidy: number;
  readonly fees: number;
}

export interface RejectRecord {
  readonly timeMs: number;
  readonly account: string;
  readonly worker: string;
  readonly stale: boolean;
}

/** Shares stored together, once: the batch id makes storing it again a no-op. */
export interface ShareBatch {
  readonly id: string;
  readonly nodeId: number;
  readonly shares: readonly ShareRecord[];
  readonly rejects: readonly RejectRecord[];
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

const MINUTE = 60_000;

interface Rollup {
  readonly bucketMs: number;
  readonly workerId: string;
  readonly accountId: string;
  difficulty: number;
  accepted: number;
  rejected: number;
  stale: number;
}

/** The ids of a batch's shares and rejects, looked up once. */
interface RecordIds {
  readonly shareAccounts: readonly string[];
  readonly shareWorkers: readonly string[];
  readonly rejectAccounts: readonly string[];
  readonly rejectWorkers: readonly string[];
}

function recordIds(batch: ShareBatch, ids: BatchIds): RecordIds {
  return {
    shareAccounts: batch.shares.map((share) => ids.account(share.account)),
    shareWorkers: batch.shares.map((share) => ids.worker(share.account, share.worker)),
    rejectAccounts: batch.rejects.map((reject) => ids.account(reject.account)),
    rejectWorkers: batch.rejects.map((reject) => ids.worker(reject.account, reject.worker)),
  };
}

/** The batch's counts per worker and minute, or for the whole pool per minute (`pool`: worker and account 0). */
function rollupsOf(batch: ShareBatch, ids: RecordIds, pool: boolean): Rollup[] {
  const rollups = new Map<string, Rollup>();
  const add = (timeMs: number, accountId: string, workerId: string): Rollup => {
    const bucketMs = timeMs - (timeMs % MINUTE);
    const key = pool ? String(bucketMs) : `${workerId}:${String(bucketMs)}`;
    let rollup = rollups.get(key);
    if (!rollup) {
      rollup = pool
        ? { bucketMs, workerId: '0', accountId: '0', difficulty: 0, accepted: 0, rejected: 0, stale: 0 }
        : { bucketMs, workerId, accountId, difficulty: 0, accepted: 0, rejected: 0, stale: 0 };
      rollups.set(key, rollup);
    }
    return rollup;
  };
  batch.shares.forEach((share, index) => {
    const rollup = add(share.timeMs, ids.shareAccounts[index] ?? '0', ids.shareWorkers[index] ?? '0');
    rollup.difficulty += share.difficulty;
    rollup.accepted++;
  });
  batch.rejects.forEach((reject, index) => {
    const rollup = add(reject.timeMs, ids.rejectAccounts[index] ?? '0', ids.rejectWorkers[index] ?? '0');
    if (reject.stale) {
      rollup.stale++;
    } else {
      rollup.rejected++;
    }
  });
  return [...rollups.values()];
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
];

/** A whole COPY stream, sent in one piece. */
async function copyRows(client: pg.PoolClient, statement: string, data: Buffer): Promise<void> {
  await pipeline(Readable.from([data]), client.query(copyFrom(statement)));
}

/** Writes share batches: accounts and workers, the shares by COPY, and the rollups, in one transaction. */
export class ShareStore {
  readonly #db: Database;
  readonly #accounts = new Map<string, string>();
  readonly #workers = new Map<string, string>();
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
      const ids = await this.#resolve(client, batch);
      const records = recordIds(batch, ids);
      await this.#copyShares(client, batch, records);
      await this.#writeRollups(client, batch, records);
      for (const hook of this.#hooks) {
        await hook(client, batch, ids);
      }
      return 'stored';
    });
  }

  async #resolve(client: pg.PoolClient, batch: ShareBatch): Promise<BatchIds> {
    const people = new Map<string, string | null>();
    const rigs = new Map<string, { account: string; worker: string }>();
    for (const record of [...batch.shares, ...batch.rejects]) {
      if (!this.#accounts.has(record.account)) {
        people.set(record.account, 'payoutAddress' in record ? record.payoutAddress : null);
      }
      const key = `${record.account}\u0000${record.worker}`;
      if (!this.#workers.has(key)) {
        rigs.set(key, { account: record.account, worker: record.worker });
      }
    }
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
        this.#accounts.set(row.name, row.id);
      }
    }
    if (rigs.size > 0) {
      const list = [...rigs.values()].sort((a, b) => (a.account + a.worker < b.account + b.worker ? -1 : 1));
      const accountIds = list.map((rig) => this.#accounts.get(rig.account) ?? '0');
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
        this.#workers.set(`${row.account}\u0000${row.name}`, row.id);
      }
    }
    return {
      account: (name) => this.#accounts.get(name) ?? '0',
      worker: (account, worker) => this.#workers.get(`${account}\u0000${worker}`) ?? '0',
    };
  }

  async #copyShares(client: pg.PoolClient, batch: ShareBatch, ids: RecordIds): Promise<void> {
    if (batch.shares.length === 0) {
      return;
    }
    const rows = new BinaryCopyBuffer(SHARE_COLUMNS, batch.shares.length);
    batch.shares.forEach((share, index) => {
      rows
        .row()
        .timestamptz(share.timeMs)
        .int8(ids.shareAccounts[index] ?? '0')
        .int8(ids.shareWorkers[index] ?? '0')
        .float8(share.difficulty)
        .float8(share.achieved)
        .int4(share.height)
        .int2(share.block ? 1 : 0)
        .bool(share.solo)
        .uuid(batch.id);
    });
    await copyRows(
      client,
      'COPY shares (time, account_id, worker_id, difficulty, achieved, height, result, solo, batch_id) FROM STDIN WITH (FORMAT binary)',
      rows.finish(),
    );
  }

  /**
   * The batch's rollup increments: appended to share_rollup_deltas by COPY (no upsert
   * on the write path; foldRollups() folds them), and the pool's own minute, one row.
   */
  async #writeRollups(client: pg.PoolClient, batch: ShareBatch, ids: RecordIds): Promise<void> {
    const deltas = rollupsOf(batch, ids, false);
    if (deltas.length === 0) {
      return;
    }
    const rows = new BinaryCopyBuffer(DELTA_COLUMNS, deltas.length);
    for (const delta of deltas) {
      rows
        .row()
        .timestamptz(delta.bucketMs)
        .int8(delta.workerId)
        .int8(delta.accountId)
        .float8(delta.difficulty)
        .int4(delta.accepted)
        .int4(delta.rejected)
        .int4(delta.stale);
    }
    await copyRows(
      client,
      'COPY share_rollup_deltas (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale) FROM STDIN WITH (FORMAT binary)',
      rows.finish(),
    );
    // In time order: concurrent writers lock the pool's minutes in the same order.
    const pool = rollupsOf(batch, ids, true).sort((a, b) => a.bucketMs - b.bucketMs);
    await client.query(
      `WITH increments AS (
         SELECT * FROM unnest($1::timestamptz[], $2::float8[], $3::int[], $4::int[], $5::int[])
           AS i (bucket, accepted_difficulty, accepted, rejected, stale)
       ), minute AS (
         INSERT INTO share_rollups_pool_minute (${ROLLUP_COLUMNS}) SELECT * FROM increments
         ${accumulateOnConflict('share_rollups_pool_minute', 'bucket')}
       )
       INSERT INTO share_rollups_pool_hour (${ROLLUP_COLUMNS})
       SELECT date_bin('1 hour', bucket, 'epoch'), sum(accepted_difficulty), sum(accepted), sum(rejected), sum(stale)
         FROM increments GROUP BY 1 ORDER BY 1
       ${accumulateOnConflict('share_rollups_pool_hour', 'bucket')}`,
      [
        pool.map((rollup) => new Date(rollup.bucketMs).toISOString()),
        pool.map((rollup) => rollup.difficulty),
        pool.map((rollup) => rollup.accepted),
        pool.map((rollup) => rollup.rejected),
        pool.map((rollup) => rollup.stale),
      ],
    );
  }
}
