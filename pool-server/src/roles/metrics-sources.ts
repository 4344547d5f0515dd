/**
 * What the metrics listener reads at each scrape besides the Stratum counters and
 * TimescaleDB's failing jobs (db/timescale-jobs.ts): the journals' size on disk and the
 * NATS stream's backlog. Each is read off the Stratum loop, in the process that serves
 * /metrics.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { LedgerBus } from '../ledger/share-stream.ts';

/** One Stratum node's share journal on disk. */
export interface JournalSize {
  readonly nodeId: number;
  readonly files: number;
  readonly bytes: number;
  /**
   * When its least recently written file was last written; null when it holds none. A file
   * is removed once its batch is stored, so this dates the oldest shares still waiting.
   */
  readonly oldestWrittenMs: number | null;
}

const NODE_FOLDER = /^node-(\d+)$/;

/**
 * The share journals under `dataDir`/journal, one folder per Stratum node (this
 * process's, its thread's or its forked processes'): files and bytes. A journal that
 * grows says shares wait there for storage.
 */
export async function journalSizes(dataDir: string): Promise<JournalSize[]> {
  const root = path.join(dataDir, 'journal');
  const folders = await readdir(root).catch(() => []);
  const sizes = folders.flatMap((folder) => {
    const match = NODE_FOLDER.exec(folder);
    return match ? [{ nodeId: Number(match[1]), folder: path.join(root, folder) }] : [];
  });
  return Promise.all(
    sizes.map(async ({ nodeId, folder }) => {
      const names = await readdir(folder).catch(() => []);
      // A file rotated away between the listing and its stat counts for nothing.
      const files = (
        await Promise.all(names.map((name) => stat(path.join(folder, name)).catch(() => undefined)))
      ).filter((file) => file !== undefined);
      const written = files.map((file) => file.mtimeMs);
      return {
        nodeId,
        files: files.length,
        bytes: files.reduce((sum, file) => sum + file.size, 0),
        oldestWrittenMs: written.length === 0 ? null : Math.min(...written),
      };
    }),
  );
}

/** The ledger stream's backlog: messages in the work queue, and the writers' consumer's share of them. */
export interface StreamBacklog {
  readonly stream: string;
  readonly messages: number;
  readonly bytes: number;
  /** Undefined until a writer has made its consumer. */
  readonly consumer: { readonly pending: number; readonly ackPending: number } | undefined;
}

/** Undefined while NATS has not been reached. */
export async function streamBacklog(bus: LedgerBus, writerName: string): Promise<StreamBacklog | undefined> {
  const nc = bus.connection;
  if (!nc) {
    return undefined;
  }
  const jsm = await jetstreamManager(nc);
  const { stream } = bus.settings;
  const info = await jsm.streams.info(stream);
  const consumer = await jsm.consumers.info(stream, writerName).catch(() => undefined);
  return {
    stream,
    messages: info.state.messages,
    bytes: info.state.bytes,
    consumer: consumer && { pending: consumer.num_pending, ackPending: consumer.num_ack_pending },
  };
}
