import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { RpcError, type BitcoinRpcClient } from '../chain/rpc-client.ts';
import type { Database } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { read, type Live } from './pool-settings.ts';
import { minerBook, post, type Entry } from './books.ts';

export interface PayoutSettings {
  /** Miners are paid once their payable balance reaches this many satoshis. */
  readonly thresholdSats: bigint;
  /** Recipients of one sendmany. */
  readonly maxRecipients: number;
}

interface Item {
  readonly accountId: string;
  readonly address: string;
  readonly amount: bigint;
}

export interface PayoutReport {
  /** Payouts sent in this run, new or recovered. */
  readonly sent: readonly { readonly id: string; readonly txid: string; readonly total: bigint }[];
  readonly failed: readonly string[];
}

interface WalletTransaction {
  readonly txid: string;
  readonly category?: string;
  readonly comment?: string;
}

const SATOSHIS_PER_BTC = 100_000_000;
/** Kept back from the wallet's balance for the payout transaction's own fee. */
const FEE_RESERVE_SATS = 100_000n;

/** Satoshis as the decimal BTC string bitcoind reads exactly (no binary floating point). */
export function btc(sats: bigint): string {
  const whole = sats / 100_000_000n;
  const fraction = (sats % 100_000_000n).toString().padStart(8, '0');
  return `${whole.toString()}.${fraction}`;
}

/**
 * Pays miners through the node's wallet. A payout is first written down as an intent,
 * with its id and the balances already debited, and only then sent with that id as the
 * wallet transaction's comment. After a crash between the two, the next run finds the
 * transaction in the wallet by its comment and records it, or sends it if it is not
 * there: a payout is never sent twice, and never lost.
 */
export class Payouts {
  readonly #db: Database;
  readonly #rpc: BitcoinRpcClient;
  readonly #settings: Live<PayoutSettings>;
  readonly #log: Logger;

  constructor(db: Database, rpc: BitcoinRpcClient, settings: Live<PayoutSettings>, log: Logger) {
    this.#db = db;
    this.#rpc = rpc;
    this.#settings = settings;
    this.#log = log;
  }

  /** Settles intents left by an earlier run, then pays whoever is due and the wallet can pay. */
  async run(): Promise<PayoutReport> {
    const spendable = await this.#spendable();
    const sent: { id: string; txid: string; total: bigint }[] = [];
    const failed: string[] = [];
    const settle = async (id: string): Promise<void> => {
      const txid = await this.send(id);
      if (txid === undefined) {
        failed.push(id);
      } else {
        sent.push({ id, txid, total: await this.#total(id) });
      }
    };
    for (const id of await this.#openIntents()) {
      await settle(id);
    }
    const id = await this.prepare(spendable);
    if (id !== undefined) {
      await settle(id);
    }
    return { sent, failed };
  }

  /**
   * Writes down a payout of the balances due, debited, as an intent; the largest first,
   * as many as `spendable` satoshis cover with the network fee's reserve. Returns its id.
   */
  async prepare(spendable: bigint): Promise<string | undefined> {
    const settings = await read(this.#settings);
    return withTransaction(this.#db, async (client) => {
      const { rows } = await client.query<{ account_id: string; address: string; amount: string }>(
        `SELECT a.id AS account_id, a.payout_address AS address, b.amount::text AS amount
           FROM balances b JOIN accounts a ON b.book = 'miner:' || a.id
          WHERE b.amount >= $1 AND a.payout_address IS NOT NULL
          ORDER BY b.amount DESC LIMIT $2 FOR UPDATE OF b`,
        [settings.thresholdSats.toString(), settings.maxRecipients],
      );
      const items: Item[] = [];
      let total = 0n;
      for (const row of rows) {
        const amount = BigInt(row.amount);
        if (total + amount + FEE_RESERVE_SATS <= spendable) {
          items.push({ accountId: row.account_id, address: row.address, amount });
          total += amount;
        }
      }
      if (items.length < rows.length) {
        this.#log.warn(
          { due: rows.length, paid: items.length, spendable: spendable.toString() },
          'ledger: the wallet holds too little to pay every balance due',
        );
      }
      if (items.length === 0) {
        return undefined;
      }
      const id = randomUUID();
      await client.query("INSERT INTO payouts (id, status, total) VALUES ($1, 'intent', $2)", [
        id,
        total.toString(),
      ]);
      await client.query(
        'INSERT INTO payout_items (payout_id, account_id, address, amount) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::bigint[])',
        [
          id,
          items.map((item) => item.accountId),
          items.map((item) => item.address),
          items.map((item) => item.amount.toString()),
        ],
      );
      const entries: Entry[] = items.map((item) => ({
        book: minerBook(item.accountId),
        amount: -item.amount,
      }));
      await post(client, 'payout', [...entries, { book: 'pool:wallet', amount: total }], { payoutId: id });
      return id;
    });
  }

  /**
   * Sends an intent, unless the wallet already holds it; records the outcome. Returns
   * the txid, or undefined when the wallet refused it (the debits are then reversed)
   * or could not be reached (the intent waits for the next run).
   */
  async send(id: string): Promise<string | undefined> {
    const existing = await this.#inWallet(id);
    if (existing !== undefined) {
      this.#log.warn({ id, txid: existing }, 'ledger: payout found in the wallet after an interruption');
      await this.#recordSent(id, existing);
      return existing;
    }
    const { rows } = await this.#db.query<{ address: string; amount: string }>(
      'SELECT address, amount::text AS amount FROM payout_items WHERE payout_id = $1',
      [id],
    );
    const amounts: Record<string, string> = {};
    for (const row of rows) {
      amounts[row.address] = btc(BigInt(row.amount));
    }
    let txid: string;
    try {
      txid = await this.#rpc.call<string>('sendmany', ['', amounts, 1, id], { retries: 0 });
    } catch (error) {
      if (error instanceof RpcError && error.kind === 'rpc') {
        await this.#recordFailed(id, error.message);
        this.#log.error({ id, err: error }, 'ledger: the wallet refused a payout; balances restored');
      } else {
        this.#log.error(
          { id, err: error },
          'ledger: payout not confirmed by the wallet; it is settled on the next run',
        );
      }
      return undefined;
    }
    await this.#recordSent(id, txid);
    this.#log.info({ id, txid, recipients: rows.length }, 'ledger: payout sent');
    return txid;
  }

  /** The wallet's spendable balance; a node without a wallet is an error here, not a failed payout. */
  async #spendable(): Promise<bigint> {
    let balance: number;
    try {
      balance = await this.#rpc.call<number>('getbalance', [], { retries: 0 });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`payouts wait: the node's wallet cannot be asked for its balance (${reason})`, {
        cause: error,
      });
    }
    return BigInt(Math.round(balance * SATOSHIS_PER_BTC));
  }

  async #openIntents(): Promise<string[]> {
    const { rows } = await this.#db.query<{ id: string }>(
      "SELECT id FROM payouts WHERE status = 'intent' ORDER BY created_at",
    );
    return rows.map((row) => row.id);
  }

  async #total(id: string): Promise<bigint> {
    const { rows } = await this.#db.query<{ total: string }>(
      'SELECT total::text AS total FROM payouts WHERE id = $1',
      [id],
    );
    return BigInt(rows[0]?.total ?? '0');
  }

  /** The wallet transaction carrying this payout id as its comment, if any. */
  async #inWallet(id: string): Promise<string | undefined> {
    const recent = await this.#rpc.call<WalletTransaction[]>('listtransactions', ['*', 1000, 0], {
      retries: 0,
    });
    return recent.find((tx) => tx.comment === id && (tx.category ?? 'send') === 'send')?.txid;
  }

  async #recordSent(id: string, txid: string): Promise<void> {
    await this.#db.query(
      "UPDATE payouts SET status = 'sent', txid = $2, sent_at = now() WHERE id = $1 AND status = 'intent'",
      [id, txid],
    );
  }

  async #recordFailed(id: string, detail: string): Promise<void> {
    await withTransaction(this.#db, async (client) => {
      const updated = await client.query(
        "UPDATE payouts SET status = 'failed', detail = $2 WHERE id = $1 AND status = 'intent'",
        [id, detail],
      );
      if (updated.rowCount === 0) {
        return;
      }
      const { rows } = await client.query<{ account_id: string; amount: string }>(
        'SELECT account_id, amount::text AS amount FROM payout_items WHERE payout_id = $1',
        [id],
      );
      const entries: Entry[] = rows.map((row) => ({
        book: minerBook(row.account_id),
        amount: BigInt(row.amount),
      }));
      const total = entries.reduce((sum, entry) => sum + entry.amount, 0n);
      await post(client, 'payout', [...entries, { book: 'pool:wallet', amount: -total }], { payoutId: id });
    });
  }
}
