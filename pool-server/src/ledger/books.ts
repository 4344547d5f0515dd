import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Database } from '../db/pool.ts';

/**
 * The double-entry books. Every transaction's entries sum to zero. Books:
 *   miner:<account id>     what the pool owes a miner, payable;
 *   immature:<account id>  credited for a block not yet mature;
 *   pool:wallet            the coins in the pool's wallet (negative: an asset);
 *   pool:immature          the other side of immature credits;
 *   pool:fee               the pool's fee income;
 *   pool:pps               the pool's own funds paying PPS/FPPS (negative when it has paid more than it found).
 * Miner and immature balances can never go below zero (a CHECK in the database).
 */
export type EntryKind = 'block-credit' | 'block-mature' | 'block-orphaned' | 'pps-credit' | 'payout' | 'fee';

export interface Entry {
  readonly book: string;
  readonly amount: bigint;
}

export const minerBook = (accountId: string): string => `miner:${accountId}`;
export const immatureBook = (accountId: string): string => `immature:${accountId}`;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Posts one balanced transaction inside the caller's database transaction. */
export async function post(
  client: Queryable,
  kind: EntryKind,
  entries: readonly Entry[],
  refs: { readonly blockHash?: string; readonly payoutId?: string } = {},
): Promise<string> {
  const byBook = new Map<string, bigint>();
  for (const entry of entries) {
    byBook.set(entry.book, (byBook.get(entry.book) ?? 0n) + entry.amount);
  }
  const total = [...byBook.values()].reduce((sum, amount) => sum + amount, 0n);
  if (total !== 0n) {
    throw new Error(`a ${kind} transaction must balance; its entries sum to ${total.toString()}`);
  }
  // Sorted: every writer locks balance rows in the same order.
  const lines = [...byBook].filter(([, amount]) => amount !== 0n).sort(([a], [b]) => (a < b ? -1 : 1));
  const transactionId = randomUUID();
  if (lines.length === 0) {
    return transactionId;
  }
  const books = lines.map(([book]) => book);
  const amounts = lines.map(([, amount]) => amount.toString());
  await client.query(
    `INSERT INTO ledger_entries (transaction_id, book, amount, kind, block_hash, payout_id)
       SELECT $1, book, amount, $4, $5, $6 FROM unnest($2::text[], $3::bigint[]) AS e (book, amount)`,
    [transactionId, books, amounts, kind, refs.blockHash ?? null, refs.payoutId ?? null],
  );
  // Not one INSERT … ON CONFLICT DO UPDATE: PostgreSQL checks the proposed row against the
  // CHECK before it finds the conflict, so a debit to an existing miner book would fail.
  await client.query(
    `INSERT INTO balances (book, amount) SELECT book, 0 FROM unnest($1::text[]) AS b (book) ORDER BY book
     ON CONFLICT (book) DO NOTHING`,
    [books],
  );
  await client.query('SELECT 1 FROM balances WHERE book = ANY($1::text[]) ORDER BY book FOR UPDATE', [books]);
  await client.query(
    `UPDATE balances SET amount = balances.amount + e.amount, updated_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS e (book, amount) WHERE balances.book = e.book`,
    [books, amounts],
  );
  return transactionId;
}

export interface Reconciliation {
  readonly balanced: boolean;
  readonly problems: readonly string[];
}

/**
 * Proves the books: all entries sum to zero, every transaction does, each balance is the
 * sum of its book's entries, and no miner is owed less than nothing.
 */
export async function reconcile(db: Database): Promise<Reconciliation> {
  const problems: string[] = [];
  const total = await db.query<{ sum: string | null }>('SELECT sum(amount) AS sum FROM ledger_entries');
  if (BigInt(total.rows[0]?.sum ?? '0') !== 0n) {
    problems.push(`all entries sum to ${String(total.rows[0]?.sum)}, not 0`);
  }
  const unbalanced = await db.query<{ transaction_id: string; sum: string }>(
    'SELECT transaction_id, sum(amount) AS sum FROM ledger_entries GROUP BY 1 HAVING sum(amount) <> 0',
  );
  for (const row of unbalanced.rows) {
    problems.push(`transaction ${row.transaction_id} sums to ${row.sum}`);
  }
  const drift = await db.query<{ book: string; entries: string | null; balance: string | null }>(
    `SELECT coalesce(e.book, b.book) AS book, e.sum AS entries, b.amount AS balance
       FROM (SELECT book, sum(amount) AS sum FROM ledger_entries GROUP BY book) e
       FULL JOIN balances b ON b.book = e.book
      WHERE coalesce(e.sum, 0) <> coalesce(b.amount, 0)`,
  );
  for (const row of drift.rows) {
    problems.push(
      `book ${row.book}: entries sum to ${String(row.entries)}, balance says ${String(row.balance)}`,
    );
  }
  const negative = await db.query<{ book: string; amount: string }>(
    "SELECT book, amount FROM balances WHERE amount < 0 AND book NOT LIKE 'pool:%'",
  );
  for (const row of negative.rows) {
    problems.push(`book ${row.book} is negative: ${row.amount}`);
  }
  return { balanced: problems.length === 0, problems };
}
