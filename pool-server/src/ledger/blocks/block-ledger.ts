import type { Logger } from 'pino';
import type pg from 'pg';
import type { BlockOutcome, BlockRecorder } from '../../chain/block-submitter.ts';
import type { Database } from '../../db/pool.ts';
import { withTransaction } from '../../db/transaction.ts';
import { read, type Live } from '../pool-settings.ts';
import { immatureBook, minerBook, post, type Entry } from '../books.ts';
import { pplnsWindow, splitReward } from '../schemes/pplns.ts';

export type PoolScheme = 'pplns' | 'pps' | 'fpps';

export interface BlockLedgerSettings {
  readonly scheme: PoolScheme;
  readonly feeBasisPoints: number;
  /** PPLNS window: this many times the network difficulty of shares. */
  readonly pplnsWindowFactor: number;
}

interface PendingBlock {
  readonly hash: string;
  readonly height: number;
  readonly reward: string;
  readonly scheme: PoolScheme | 'solo';
}

const BASIS_POINTS = 10_000n;
/** The window is summed an hour at a time, and the hour where it ends narrowed down to a second. */
const WINDOW_SLICE_MS = 3_600_000;
const MIN_SLICE_MS = 1_000;

/**
 * Found blocks in the books. A pool block is recorded pending with its effort; under
 * PPLNS the reward less the fee is credited at once to the window's miners as immature.
 * At maturity the credits become payable (and the pool fee income); an orphaned block's
 * immature credits are reversed. PPS and FPPS blocks bring their reward to the pool,
 * which paid per share. A SOLO block paid its finder in the coinbase.
 */
export class BlockLedger implements BlockRecorder {
  readonly #db: Database;
  readonly #settings: Live<BlockLedgerSettings>;
  readonly #log: Logger;

  constructor(db: Database, settings: Live<BlockLedgerSettings>, log: Logger) {
    this.#db = db;
    this.#settings = settings;
    this.#log = log;
  }

  async record(outcome: BlockOutcome): Promise<void> {
    const settings = await read(this.#settings);
    const scheme = outcome.solo ? 'solo' : settings.scheme;
    const status =
      outcome.status === 'accepted' || outcome.status === 'unknown'
        ? 'pending'
        : outcome.status === 'stale'
          ? 'orphaned'
          : 'rejected';
    const foundAt = new Date(outcome.foundAtMs);
    await withTransaction(this.#db, async (client) => {
      await client.query('INSERT INTO accounts (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [
        outcome.finder.account,
      ]);
      const effort = outcome.solo ? null : await this.#effort(client, outcome.networkDifficulty, foundAt);
      const inserted = await client.query(
        `INSERT INTO blocks (hash, height, reward, fees, finder_account_id, finder_worker, network_difficulty, effort, scheme, status, detail, found_at)
           SELECT $1, $2, $3, $4, id, $6, $7, $8, $9, $10, $11, $12 FROM accounts WHERE name = $5
         ON CONFLICT (hash) DO NOTHING`,
        [
          outcome.hash,
          outcome.height,
          outcome.reward.toString(),
          outcome.fees.toString(),
          outcome.finder.account,
          outcome.finder.worker,
          outcome.networkDifficulty,
          effort,
          scheme,
          status,
          outcome.detail,
          foundAt,
        ],
      );
      if (inserted.rowCount === 0 || status !== 'pending' || scheme !== 'pplns') {
        return;
      }
      const shares = await this.#window(
        client,
        outcome.networkDifficulty * settings.pplnsWindowFactor,
        foundAt,
      );
      const fee = (outcome.reward * BigInt(settings.feeBasisPoints)) / BASIS_POINTS;
      const credits = splitReward(outcome.reward - fee, shares);
      const entries: Entry[] = [...credits].map(([account, amount]) => ({
        book: immatureBook(account),
        amount,
      }));
      const total = entries.reduce((sum, entry) => sum + entry.amount, 0n);
      await post(client, 'block-credit', [...entries, { book: 'pool:immature', amount: -total }], {
        blockHash: outcome.hash,
      });
    });
    this.#log.info({ height: outcome.height, hash: outcome.hash, scheme, status }, 'ledger: block recorded');
  }

  /**
   * Records the blocks of another record (the block journal) that the books do not hold
   * yet: those found while the database was away. Returns how many.
   */
  async recordMissing(outcomes: readonly BlockOutcome[]): Promise<number> {
    if (outcomes.length === 0) {
      return 0;
    }
    const { rows } = await this.#db.query<{ hash: string }>(
      'SELECT hash FROM blocks WHERE hash = ANY($1::text[])',
      [outcomes.map((outcome) => outcome.hash)],
    );
    const known = new Set(rows.map((row) => row.hash));
    let recorded = 0;
    for (const outcome of outcomes) {
      if (!known.has(outcome.hash)) {
        await this.record(outcome);
        known.add(outcome.hash);
        recorded++;
      }
    }
    return recorded;
  }

  /** Pending blocks at or past maturity become payable; those the chain dropped are orphaned. */
  async mature(block: PendingBlock, confirmations: number): Promise<void> {
    await withTransaction(this.#db, async (client) => {
      const updated = await client.query(
        "UPDATE blocks SET status = 'confirmed', confirmations = $2, updated_at = now() WHERE hash = $1 AND status = 'pending'",
        [block.hash, confirmations],
      );
      if (updated.rowCount === 0 || block.scheme === 'solo') {
        return;
      }
      const reward = BigInt(block.reward);
      if (block.scheme !== 'pplns') {
        await post(
          client,
          'block-mature',
          [
            { book: 'pool:wallet', amount: -reward },
            { book: 'pool:pps', amount: reward },
          ],
          { blockHash: block.hash },
        );
        return;
      }
      const credits = await this.#credits(client, block.hash);
      const total = credits.reduce((sum, credit) => sum + credit.amount, 0n);
      await post(
        client,
        'block-mature',
        [
          ...credits.flatMap((credit) => [
            { book: immatureBook(credit.accountId), amount: -credit.amount },
            { book: minerBook(credit.accountId), amount: credit.amount },
          ]),
          { book: 'pool:immature', amount: total },
          { book: 'pool:wallet', amount: -reward },
          { book: 'pool:fee', amount: reward - total },
        ],
        { blockHash: block.hash },
      );
    });
    this.#log.info({ height: block.height, hash: block.hash }, 'ledger: block confirmed, credits payable');
  }

  async orphan(block: PendingBlock): Promise<void> {
    await withTransaction(this.#db, async (client) => {
      const updated = await client.query(
        "UPDATE blocks SET status = 'orphaned', confirmations = 0, updated_at = now() WHERE hash = $1 AND status = 'pending'",
        [block.hash],
      );
      if (updated.rowCount === 0 || block.scheme !== 'pplns') {
        return;
      }
      const credits = await this.#credits(client, block.hash);
      const total = credits.reduce((sum, credit) => sum + credit.amount, 0n);
      await post(
        client,
        'block-orphaned',
        [
          ...credits.map((credit) => ({ book: immatureBook(credit.accountId), amount: -credit.amount })),
          { book: 'pool:immature', amount: total },
        ],
        { blockHash: block.hash },
      );
    });
    this.#log.warn(
      { height: block.height, hash: block.hash },
      'ledger: block orphaned, immature credits reversed',
    );
  }

  async pending(): Promise<PendingBlock[]> {
    const { rows } = await this.#db.query<PendingBlock>(
      "SELECT hash, height, reward::text AS reward, scheme FROM blocks WHERE status = 'pending' ORDER BY height",
    );
    return rows;
  }

  async setConfirmations(hash: string, confirmations: number): Promise<void> {
    await this.#db.query('UPDATE blocks SET confirmations = $2, updated_at = now() WHERE hash = $1', [
      hash,
      confirmations,
    ]);
  }

  /** Pool shares since the previous pool block over the network difficulty: 1.0 is average luck. */
  async #effort(client: pg.PoolClient, networkDifficulty: number, foundAt: Date): Promise<number> {
    const { rows } = await client.query<{ work: number | null }>(
      `SELECT sum(difficulty) AS work FROM shares
        WHERE NOT solo AND time <= $1
          AND time > coalesce((SELECT max(found_at) FROM blocks WHERE scheme <> 'solo' AND found_at < $1), '-infinity')`,
      [foundAt],
    );
    return (rows[0]?.work ?? 0) / networkDifficulty;
  }

  /**
   * Each account's difficulty in the PPLNS window before the block. Whole slices of time
   * are summed in the database; the slice where the window ends is narrowed until it is
   * small enough to read share by share.
   */
  async #window(
    client: pg.PoolClient,
    windowDifficulty: number,
    foundAt: Date,
  ): Promise<Map<string, number>> {
    const parts = new Map<string, number>();
    const oldest = await client.query<{ time: Date | null }>(
      'SELECT min(time) AS time FROM shares WHERE NOT solo AND time <= $1',
      [foundAt],
    );
    const first = oldest.rows[0]?.time?.getTime();
    let remaining = windowDifficulty;
    let end = foundAt.getTime();
    let sliceMs = WINDOW_SLICE_MS;
    while (first !== undefined && end >= first && remaining > 0) {
      const start = end - sliceMs;
      const range = [new Date(end), new Date(start)];
      const totals = await client.query<{ account_id: string; difficulty: number }>(
        'SELECT account_id, sum(difficulty) AS difficulty FROM shares WHERE NOT solo AND time <= $1 AND time > $2 GROUP BY 1',
        range,
      );
      const sum = totals.rows.reduce((acc, row) => acc + row.difficulty, 0);
      if (sum <= remaining) {
        for (const row of totals.rows) {
          parts.set(row.account_id, (parts.get(row.account_id) ?? 0) + row.difficulty);
        }
        remaining -= sum;
        end = start;
      } else if (sliceMs > MIN_SLICE_MS) {
        sliceMs = Math.max(MIN_SLICE_MS, Math.floor(sliceMs / 16));
      } else {
        const shares = await client.query<{ account_id: string; difficulty: number }>(
          'SELECT account_id, difficulty FROM shares WHERE NOT solo AND time <= $1 AND time > $2 ORDER BY time DESC',
          range,
        );
        const newestFirst = shares.rows.map((row) => ({
          accountId: row.account_id,
          difficulty: row.difficulty,
        }));
        for (const [account, difficulty] of pplnsWindow(newestFirst, remaining)) {
          parts.set(account, (parts.get(account) ?? 0) + difficulty);
        }
        remaining = 0;
      }
    }
    return parts;
  }

  async #credits(client: pg.PoolClient, hash: string): Promise<{ accountId: string; amount: bigint }[]> {
    const { rows } = await client.query<{ book: string; amount: string }>(
      "SELECT book, amount::text AS amount FROM ledger_entries WHERE block_hash = $1 AND kind = 'block-credit' AND book LIKE 'immature:%'",
      [hash],
    );
    return rows.map((row) => ({ accountId: row.book.slice('immature:'.length), amount: BigInt(row.amount) }));
  }
}
