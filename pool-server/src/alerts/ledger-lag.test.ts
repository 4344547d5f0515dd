import { describe, expect, test } from 'vitest';
import { ledgerLagAlerts } from './ledger-lag.ts';

const NOW = Date.parse('2026-12-07T10:00:00Z');
const LAG_MINUTES = 10;
const JOURNAL = { nodeId: 0, files: 3, bytes: 3 * 1_048_576 };

describe('ledger lag', () => {
  const lagging = (oldestWrittenMs: number | null) =>
    ledgerLagAlerts([{ ...JOURNAL, oldestWrittenMs }], LAG_MINUTES, NOW);

  test("shares waiting the threshold in a node's journal are a lasting alert for admins alone", () => {
    expect(lagging(NOW - 10 * 60_000)).toEqual([
      {
        rule: 'ledger-lag',
        subject: 'journal:node-0',
        once: false,
        audience: 'admin',
        organisationId: null,
        farmId: null,
        summary:
          'shares accepted by Stratum node 0 have waited 10 minutes for the database (3 journal files, 3.0 MiB)',
        facts: { ...JOURNAL, oldestWrittenMs: NOW - 10 * 60_000, waitedMinutes: 10 },
      },
    ]);
  });

  test('a journal stored within the threshold, or empty, raises nothing', () => {
    expect(lagging(NOW - 9 * 60_000 - 59_000)).toEqual([]);
    expect(lagging(null)).toEqual([]);
  });

  test('each node is its own subject', () => {
    const alerts = ledgerLagAlerts(
      [
        { ...JOURNAL, nodeId: 1, oldestWrittenMs: NOW - 60 * 60_000 },
        { ...JOURNAL, nodeId: 2, oldestWrittenMs: NOW - 30_000 },
        { ...JOURNAL, nodeId: 3, oldestWrittenMs: NOW - 11 * 60_000 },
      ],
      LAG_MINUTES,
      NOW,
    );
    expect(alerts.map((alert) => alert.subject)).toEqual(['journal:node-1', 'journal:node-3']);
  });
});
