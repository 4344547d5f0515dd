import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ShareColumns } from './share-columns.ts';
import type { JournalFile, ShareJournal } from './share-journal.ts';
import { batchFrom, ShareLineEncoder, type Line } from './share-line.ts';
import { rejectKind, type BatchSink, type RejectRecord, type ShareRecord } from './share-store.ts';
import type { ProtocolRecord } from './worker-protocols.ts';

export interface ShareWriterSettings {
  readonly nodeId: number;
  /** A batch is sealed and stored this long after the one before it, or as soon as it is full (see BUSY_BATCH_FACTOR). */
  readonly flushIntervalMs: number;
  readonly maxBatchShares: number;
  /** While the database is away: seal less often (fewer files), and try again this often. */
  readonly degradedFlushIntervalMs: number;
  readonly retryIntervalMs: number;
}

interface OpenBatch {
  readonly id: string;
  readonly shares: ShareColumns;
  readonly rejects: RejectRecord[];
  readonly protocols: ProtocolRecord[];
  /** What of it is in the journal: undefined before its first commit (its header line is not there either). */
  journalled: { shares: number; rejects: number; protocols: number } | undefined;
}

interface Sealed {
  readonly file: JournalFile;
  /** Kept in memory for the newest batches only; older ones are read back from their file. */
  batch: OpenBatch | undefined;
}

/** Sealed batches kept in memory while the database is away; the journal on disk holds the rest. */
const BATCHES_IN_MEMORY_DEGRADED = 4;
/**
 * Shares of sealed batches kept in memory while the database is up but behind (a slow
 * transaction, a checkpoint): reading a batch back from its file costs the Stratum
 * process more than the transaction that was late. About 30 MB.
 */
const SHARES_IN_MEMORY = 200_000;
/** Emptied columns kept for the next batches: one fills while one is stored. */
const SPARE_COLUMNS = 2;
/**
 * While the store is busy with the batches before it, the open batch keeps filling past
 * maxBatchShares, up to this many times it, and is sealed when the store is free.
 */
const BUSY_BATCH_FACTOR = 4;

/**
 * The share sink: every accepted share goes to the journal (one file per batch) before
 * its reply, then to the database in batches. When the database is away, sealed batches
 * wait on disk and are stored in order when it returns; a batch stored twice is skipped
 * by its id. Memory holds only the open batch and a few sealed ones.
 */
export class ShareWriter {
  readonly #store: BatchSink;
  readonly #journal: ShareJournal;
  readonly #settings: ShareWriterSettings;
  readonly #log: Logger;
  #open: OpenBatch | undefined;
  readonly #sealed: Sealed[] = [];
  #storing: Promise<void> | undefined;
  #healthy = true;
  #sealTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #stored = 0;
  #lastSealed: string | undefined;
  /** The open batch is due (its interval ran out, or it is full) and waits for the store to be free. */
  #sealWhenStored = false;
  readonly #lines = new ShareLineEncoder();
  /** The columns of batches stored, emptied, for the next batches to fill. */
  readonly #spareColumns: ShareColumns[] = [];
  /**
   * A commit failed since commit() last answered: shares whose replies are still held
   * were dropped (a seal mid-turn commits too), so those replies must refuse them.
   */
  #dropped = false;

  constructor(store: BatchSink, journal: ShareJournal, settings: ShareWriterSettings, log: Logger) {
    this.#store = store;
    this.#journal = journal;
    this.#settings = settings;
    this.#log = log;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  /** Batches sealed and not yet in the database. */
  get waiting(): number {
    return this.#sealed.length;
  }

  /** Sealed batches still held in memory: never more than a few, whatever the backlog. */
  get batchesInMemory(): number {
    return this.#sealed.filter((sealed) => sealed.batch !== undefined).length;
  }

  /** The id of the batch sealed last: a block found now has its share in it or before it. */
  get lastSealed(): string | undefined {
    return this.#lastSealed;
  }

  /** Shares this writer has stored since it started. */
  get stored(): number {
    return this.#stored;
  }

  /** Takes up what an earlier run left in the journal, then starts sealing on a timer. */
  async start(): Promise<void> {
    for (const file of this.#journal.files()) {
      this.#sealed.push({ file, batch: undefined });
    }
    if (this.#sealed.length > 0) {
      this.#log.info(
        { batches: this.#sealed.length },
        'ledger: storing share batches an earlier run journalled',
      );
    }
    await this.#drain();
    this.#schedule();
  }

  addShare(share: ShareRecord): void {
    const batch = this.#openBatch();
    const identity = this.#lines.identity(share.account, share.worker, share.payoutAddress);
    batch.shares.push(share, identity);
    this.#journal.appendJson(this.#lines.encode(share, identity));
    this.#sealIfFull(batch);
  }

  addReject(reject: RejectRecord): void {
    const batch = this.#openBatch();
    batch.rejects.push(reject);
    this.#journal.append([
      'r',
      reject.timeMs,
      reject.account,
      reject.worker,
      reject.stale ? 1 : 0,
      rejectKind(reject),
    ] satisfies Line);
    // A flood of rejects fills a batch too.
    this.#sealIfFull(batch);
  }

  /** A worker connected: its protocol goes to the database with the batch. */
  addProtocol(record: ProtocolRecord): void {
    const batch = this.#openBatch();
    batch.protocols.push(record);
    this.#journal.append([
      'p',
      record.timeMs,
      record.account,
      record.worker,
      record.payoutAddress,
      record.protocol,
    ] satisfies Line);
    this.#sealIfFull(batch);
  }

  /**
   * Makes what was added durable (in the journal) before the replies that announce it.
   * False when shares added since the last call are not in the journal: they are dropped
   * here too (never stored, never paid), and their replies must refuse them.
   */
  commit(): boolean {
    const committed = this.#commitOpenBatch() && !this.#dropped;
    this.#dropped = false;
    return committed;
  }

  /**
   * Commits the journal; when it cannot, the open batch goes back to what its file holds,
   * and a batch with nothing in its file is dropped whole (its header line is not there).
   */
  #commitOpenBatch(): boolean {
    const batch = this.#open;
    if (this.#journal.commit()) {
      if (batch) {
        batch.journalled = {
          shares: batch.shares.length,
          rejects: batch.rejects.length,
          protocols: batch.protocols.length,
        };
      }
      return true;
    }
    this.#dropped = true;
    if (batch?.journalled === undefined) {
      this.#open = undefined;
      if (batch && this.#spareColumns.length < SPARE_COLUMNS) {
        batch.shares.clear();
        this.#spareColumns.push(batch.shares);
      }
    } else {
      batch.shares.truncate(batch.journalled.shares);
      batch.rejects.length = batch.journalled.rejects;
      batch.protocols.length = batch.journalled.protocols;
    }
    return false;
  }

  /** Seals the open batch and waits until everything sealed is stored, or the database fails. */
  async flush(): Promise<void> {
    this.#seal();
    await this.#drain();
  }

  async close(): Promise<void> {
    clearTimeout(this.#sealTimer);
    this.#sealTimer = undefined;
    clearTimeout(this.#retryTimer);
    await this.flush();
    await this.#journal.close();
  }

  #openBatch(): OpenBatch {
    if (!this.#open) {
      this.#open = {
        id: randomUUID(),
        shares: this.#spareColumns.pop() ?? new ShareColumns(),
        rejects: [],
        protocols: [],
        journalled: undefined,
      };
      this.#journal.append(['b', this.#open.id, this.#settings.nodeId] satisfies Line);
    }
    return this.#open;
  }

  /** Storing batches to a healthy database: a batch due now waits for it, unless it is very big. */
  get #storeBusy(): boolean {
    return this.#healthy && this.#storing !== undefined;
  }

  /**
   * Seals a full batch and gives the next one the whole interval: a steady load then
   * makes full batches, not a full one and a remnant every interval. While the store is
   * busy, a full batch keeps filling (to BUSY_BATCH_FACTOR times) until it is free. Every
   * batch costs the store the same round trips to the database, each waiting a turn of
   * the Stratum thread's event loop: under load, bigger batches let it catch up rather
   * than fall further behind.
   */
  #sealIfFull(batch: OpenBatch): void {
    const size = batch.shares.length + batch.rejects.length + batch.protocols.length;
    if (size < this.#settings.maxBatchShares) {
      return;
    }
    if (this.#storeBusy && size < this.#settings.maxBatchShares * BUSY_BATCH_FACTOR) {
      this.#sealWhenStored = true;
      return;
    }
    this.#sealRestartingInterval();
  }

  /** Seals the open batch out of the timer's turn, and gives the next one the whole interval. */
  #sealRestartingInterval(): void {
    this.#seal();
    this.#sealTimer?.refresh();
  }

  #seal(): void {
    this.#sealWhenStored = false;
    // What cannot be journalled is dropped before the batch is sealed: a sealed batch is its file.
    this.#commitOpenBatch();
    const batch = this.#open;
    if (!batch) {
      return;
    }
    this.#open = undefined;
    const file = this.#journal.rotate();
    if (!file) {
      return;
    }
    this.#sealed.push({ file, batch });
    this.#lastSealed = batch.id;
    this.#releaseOlder();
    void this.#drain();
  }

  /** Memory stays bounded however long the database is away or behind: the journal holds the rest. */
  #releaseOlder(): void {
    let batches = 0;
    let shares = 0;
    for (let index = this.#sealed.length - 1; index >= 0; index--) {
      const sealed = this.#sealed[index];
      if (sealed?.batch === undefined) {
        continue;
      }
      batches += 1;
      shares += sealed.batch.shares.length + sealed.batch.rejects.length;
      if (this.#healthy ? shares > SHARES_IN_MEMORY : batches > BATCHES_IN_MEMORY_DEGRADED) {
        sealed.batch = undefined;
      }
    }
  }

  #schedule(): void {
    const interval = this.#healthy ? this.#settings.flushIntervalMs : this.#settings.degradedFlushIntervalMs;
    this.#sealTimer = setTimeout(() => {
      if (this.#storeBusy) {
        this.#sealWhenStored = true;
      } else {
        this.#seal();
      }
      this.#schedule();
    }, interval);
    this.#sealTimer.unref();
  }

  /** Stores sealed batches, oldest first, one loop at a time. */
  #drain(): Promise<void> {
    // .finally runs after the assignment, even when the loop has nothing to wait for.
    this.#storing ??= this.#storeSealed().finally(() => {
      this.#storing = undefined;
      if (this.#sealWhenStored) {
        this.#sealRestartingInterval();
      }
    });
    return this.#storing;
  }

  async #storeSealed(): Promise<void> {
    try {
      for (let next = this.#sealed[0]; next; next = this.#sealed[0]) {
        const inMemory = next.batch;
        const batch = inMemory
          ? { ...inMemory, nodeId: this.#settings.nodeId }
          : batchFrom(await this.#journal.read(next.file));
        if (batch) {
          await this.#store.store(batch);
          this.#stored += batch.shares.length;
        }
        if (inMemory && this.#spareColumns.length < SPARE_COLUMNS) {
          // Stored: the sink holds nothing of it once store() has resolved.
          inMemory.shares.clear();
          this.#spareColumns.push(inMemory.shares);
        }
        await this.#journal.remove(next.file);
        this.#sealed.shift();
      }
      if (!this.#healthy) {
        this.#healthy = true;
        this.#log.info('ledger: the database is back; journalled shares are stored');
      }
    } catch (error) {
      if (this.#healthy) {
        this.#healthy = false;
        this.#log.error({ err: error }, 'ledger: cannot store shares; they wait in the journal on disk');
      }
      for (const sealed of this.#sealed) {
        sealed.batch = undefined;
      }
      clearTimeout(this.#retryTimer);
      this.#retryTimer = setTimeout(() => void this.#drain(), this.#settings.retryIntervalMs);
      this.#retryTimer.unref();
    }
  }
}
