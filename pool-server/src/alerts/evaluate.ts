/**
 * One evaluation: the facts gathered from the domains, the rules applied, new alerts
 * opened and cleared ones resolved (each with its notices queued). Runs in the writer
 * role on a timer; several writers may run it at once, the store's unique indexes keep
 * each alert single.
 */
import type { Database } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import { gatherFacts } from './facts.ts';
import { ledgerLagAlerts, type JournalFacts } from './ledger-lag.ts';
import { evaluateRules, planAlerts, type AlertThresholds } from './rules.ts';
import { openAlerts, openNew, readCursor, resolve, writeCursor } from './store.ts';

/**
 * Events are read again this far before the last look: a block is recorded a little after
 * it was found, an order after it was entered. Read twice, an event is still sent once.
 */
const EVENT_OVERLAP_MS = 10 * 60_000;
const CURSOR = 'events';

export interface EvaluationSettings {
  /** The pool-wide defaults; each farm's own thresholds override them for that farm. */
  readonly thresholds: AlertThresholds;
  /** The share journals on this host (roles/ reads them from the data folder). */
  readonly journals: () => Promise<readonly JournalFacts[]>;
}

export async function evaluateAlerts(
  db: Database,
  settings: EvaluationSettings,
  nowMs: number,
): Promise<{ readonly opened: number; readonly resolved: number }> {
  const seenUntil = await readCursor(db, CURSOR);
  const [facts, journals] = await Promise.all([
    gatherFacts(db, {
      nowMs,
      defaults: settings.thresholds,
      // The first look starts now: a new installation is not told of its whole history.
      eventsFromMs: seenUntil === null ? nowMs : seenUntil - EVENT_OVERLAP_MS,
    }),
    settings.journals(),
  ]);
  const candidates = [
    ...evaluateRules(facts, settings.thresholds, nowMs),
    ...ledgerLagAlerts(journals, settings.thresholds.ledgerLagMinutes, nowMs),
  ];
  return withTransaction(db, async (client) => {
    const plan = planAlerts(await openAlerts(client), candidates);
    const opened = await openNew(client, plan.toOpen);
    await resolve(client, plan.toResolve);
    await writeCursor(client, CURSOR, nowMs);
    return { opened: opened.length, resolved: plan.toResolve.length };
  });
}
