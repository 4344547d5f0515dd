/**
 * Accepted shares are acknowledged once journalled; the database may take them later. A
 * journal whose oldest file has waited past the threshold says storage is not keeping up
 * (the database away, or too slow): nothing is lost, but balances and charts lag. The
 * journals are files on the evaluating host, not facts of the database, so this rule
 * stands apart from rules.ts; pure like them.
 */
import type { AlertCandidate } from './candidate.ts';

const MINUTE_MS = 60_000;

/** One Stratum node's share journal on this host: what waits there for the database. */
export interface JournalFacts {
  readonly nodeId: number;
  readonly files: number;
  readonly bytes: number;
  /** When its least recently written file was last written; null when it holds none. */
  readonly oldestWrittenMs: number | null;
}

/** A lasting alert for admins, who run the database, per node whose shares waited `lagMinutes`. */
export function ledgerLagAlerts(
  journals: readonly JournalFacts[],
  lagMinutes: number,
  nowMs: number,
): AlertCandidate[] {
  return journals.flatMap((journal) => {
    if (journal.oldestWrittenMs === null) {
      return [];
    }
    const waitedMinutes = Math.floor((nowMs - journal.oldestWrittenMs) / MINUTE_MS);
    if (waitedMinutes < lagMinutes) {
      return [];
    }
    const { nodeId, files, bytes } = journal;
    return [
      {
        rule: 'ledger-lag',
        subject: `journal:node-${String(nodeId)}`,
        once: false,
        audience: 'admin',
        organisationId: null,
        farmId: null,
        summary: `shares accepted by Stratum node ${String(nodeId)} have waited ${String(waitedMinutes)} minutes for the database (${String(files)} journal files, ${(bytes / 1_048_576).toFixed(1)} MiB)`,
        facts: { ...journal, waitedMinutes },
      },
    ];
  });
}
