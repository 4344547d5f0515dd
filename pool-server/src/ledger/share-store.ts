import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Database } from '../db/pool.ts';
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

/** Work done in the batch's transaction by whoever else needs it (PPS credits). */
export type BatchHook = (client: pg.PoolClient, batch: ShareBatch, ids: BatchIds) => Promise<void>;

export interface BatchIds {
  account(name: string): string;
  worker(account: string, worker: string): string;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

interface Rollup {
  readonly bucketMs: number;
  readonly id: string;
  readonly accountId: string;
  difficulty: number;
  accepted: number;
  rejected: number;
  stale: number;
}

/** Rows of one rollup table: per worker, per account or for the whole pool (id 0). */
type RollupScope = 'worker' | 'account' | 'pool';

function rollupsOf(batch: ShareBatch, ids: BatchIds, period: number, scope: RollupScope): Rollup[] {
  const rollups = new Map<string, Rollup>();
  const add = (timeMs: number, account: string, worker: string): Rollup => {
    const bucketMs = timeMs - (timeMs % period);
    const accountId = ids.account(account);
    const id = scope === 'worker' ? ids.worker(account, worker) : scope === 'account' ? accountId : '0';
    const key = `${id}:${String(bucketMs)}`;
    let rollup = rollups.get(key);
    if (!rollup) {
      rollup = { bucketMs, id, accountId, difficulty: 0, accepted: 0, rejected: 0, stale: 0 };
      rollups.set(key, rollup);
    }
    return rollup;
  };
  for (const share of batch.shares) {
    const rollup = add(share.timeMs, share.account, share.worker);
    rollup.difficulty += share.difficulty;
    rollup.accepted++;
  }
  for (const reject of batch.rejects) {
    const rollup = add(reject.timeMs, reject.account, reject.worker);
    if (reject.stale) {
      rollup.stale++;
    } else {
      rollup.rejected++;
    }
  }
  // One lock order for every writer: concurrent batches upsert the same rows without deadlocks.
  return [...rollups.values()].sort((a, b) =>
    a.id === b.id ? a.bucketMs - b.bucketMs : a.id < b.id ? -1 : 1,
  );
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
      await this.#copyShares(client, batch, ids);
      await this.#upsertRollups(client, batch, ids);
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

  async #copyShares(client: pg.PoolClient, batch: ShareBatch, ids: BatchIds): Promise<void> {
    if (batch.shares.length === 0) {
      return;
    }
    const rows = batch.shares.map(
      (share) =>
        `${new Date(share.timeMs).toISOString()}\t${ids.account(share.account)}\t${ids.worker(share.account, share.worker)}\t${String(share.difficulty)}\t${String(share.achieved)}\t${String(share.height)}\t${share.block ? '1' : '0'}\t${share.solo ? 't' : 'f'}\t${batch.id}\n`,
    );
    const copy = client.query(
      copyFrom(
        'COPY shares (time, account_id, worker_id, difficulty, achieved, height, result, solo, batch_id) FROM STDIN',
      ),
    );
    await pipeline(Readable.from([rows.join('')]), copy);
  }

  async #upsertRollups(client: pg.PoolClient, batch: ShareBatch, ids: BatchIds): Promise<void> {
    const columns = (rollups: Rollup[]): unknown[] => [
      rollups.map((rollup) => new Date(rollup.bucketMs).toISOString()),
      rollups.map((rollup) => rollup.id),
      rollups.map((rollup) => rollup.accountId),
      rollups.map((rollup) => rollup.difficulty),
      rollups.map((rollup) => rollup.accepted),
      rollups.map((rollup) => rollup.rejected),
      rollups.map((rollup) => rollup.stale),
    ];
    await client.query(
      `INSERT INTO share_rollups_minute (bucket, worker_id, account_id, accepted_difficulty, accepted, rejected, stale)
         SELECT * FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], $4::float8[], $5::int[], $6::int[], $7::int[])
       ON CONFLICT (worker_id, bucket) DO UPDATE SET
         accepted_difficulty = share_rollups_minute.accepted_difficulty + EXCLUDED.accepted_difficulty,
         accepted = share_rollups_minute.accepted + EXCLUDED.accepted,
         rejected = share_rollups_minute.rejected + EXCLUDED.rejected,
         stale = share_rollups_minute.stale + EXCLUDED.stale`,
      columns(rollupsOf(batch, ids, MINUTE, 'worker')),
    );
    const hourly = rollupsOf(batch, ids, HOUR, 'account');
    await client.query(
      `INSERT INTO share_rollups_hour (bucket, account_id, accepted_difficulty, accepted, rejected, stale)
         SELECT b, a, d, n, r, s FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], $4::float8[], $5::int[], $6::int[], $7::int[])
           AS u (b, w, a, d, n, r, s)
       ON CONFLICT (account_id, bucket) DO UPDATE SET
         accepted_difficulty = share_rollups_hour.accepted_difficulty + EXCLUDED.accepted_difficulty,
         accepted = share_rollups_hour.accepted + EXCLUDED.accepted,
         rejected = share_rollups_hour.rejected + EXCLUDED.rejected,
         stale = share_rollups_hour.stale + EXCLUDED.stale`,
      columns(hourly),
    );
    await client.query(
      `INSERT INTO share_rollups_pool_minute (bucket, accepted_difficulty, accepted, rejected, stale)
         SELECT b, d, n, r, s FROM unnest($1::timestamptz[], $2::bigint[], $3::bigint[], $4::float8[], $5::int[], $6::int[], $7::int[])
           AS u (b, w, a, d, n, r, s)
       ON CONFLICT (bucket) DO UPDATE SET
         accepted_difficulty = share_rollups_pool_minute.accepted_difficulty + EXCLUDED.accepted_difficulty,
         accepted = share_rollups_pool_minute.accepted + EXCLUDED.accepted,
         rejected = share_rollups_pool_minute.rejected + EXCLUDED.rejected,
         stale = share_rollups_pool_minute.stale + EXCLUDED.stale`,
      columns(rollupsOf(batch, ids, MINUTE, 'pool')),
    );
  }
}
