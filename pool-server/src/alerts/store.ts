/**
 * Alerts in the database: each alert once while it lasts (the unique indexes of
 * 0022_alerts.sql deduplicate across processes), the subscriptions that hear of it, and
 * one delivery row per notice and subscription with its attempts and outcome.
 */
import type { AlertChannel, AlertLanguage, AlertRule } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import type { AlertCandidate } from './candidate.ts';
import type { OpenAlert } from './rules.ts';

/** The lasting alerts open now. */
export async function openAlerts(db: Queryable): Promise<OpenAlert[]> {
  const { rows } = await db.query<OpenAlert>(
    'SELECT id::text, rule, subject FROM alerts WHERE resolved_at IS NULL AND NOT once',
  );
  return rows;
}

/**
 * Opens each alert not open already (an event: never seen before) and queues an 'opened'
 * notice for every subscription that hears of it. Returns the ids opened.
 */
export async function openNew(db: Queryable, candidates: readonly AlertCandidate[]): Promise<string[]> {
  if (candidates.length === 0) {
    return [];
  }
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO alerts (rule, subject, once, audience, organisation_id, farm_id, summary, facts, resolved_at)
     SELECT c.rule, c.subject, c.once, c.audience, c.organisation_id, c.farm_id, c.summary, c.facts,
            CASE WHEN c.once THEN now() END
       FROM jsonb_to_recordset($1::jsonb) AS c(rule text, subject text, once boolean, audience text,
            organisation_id bigint, farm_id bigint, summary text, facts jsonb)
     ON CONFLICT DO NOTHING
     RETURNING id::text`,
    [
      JSON.stringify(
        candidates.map((candidate) => ({
          rule: candidate.rule,
          subject: candidate.subject,
          once: candidate.once,
          audience: candidate.audience,
          organisation_id: candidate.organisationId,
          farm_id: candidate.farmId,
          summary: candidate.summary,
          facts: candidate.facts,
        })),
      ),
    ],
  );
  const ids = rows.map((row) => row.id);
  await queueNotices(db, ids, 'opened');
  return ids;
}

/** Closes alerts whose condition has cleared, with a 'resolved' notice to those who asked for one. */
export async function resolve(db: Queryable, alerts: readonly OpenAlert[]): Promise<void> {
  if (alerts.length === 0) {
    return;
  }
  const { rows } = await db.query<{ id: string }>(
    'UPDATE alerts SET resolved_at = now() WHERE id = ANY($1::bigint[]) AND resolved_at IS NULL RETURNING id::text',
    [alerts.map((alert) => alert.id)],
  );
  await queueNotices(
    db,
    rows.map((row) => row.id),
    'resolved',
  );
}

/**
 * One pending delivery per alert and subscription that hears of it: subscribed to its
 * rule, and an organisation's alert goes to that organisation's subscriptions, its
 * operators' and admins'; a pool-wide one to every subscriber; an admins' one to admins'
 * own subscriptions only. A disabled user hears nothing. A resolved notice goes only where the opened one went, when asked for.
 */
async function queueNotices(
  db: Queryable,
  alertIds: readonly string[],
  notice: 'opened' | 'resolved',
): Promise<void> {
  if (alertIds.length === 0) {
    return;
  }
  await db.query(
    `INSERT INTO alert_deliveries (alert_id, subscription_id, notice, channel, status)
     SELECT a.id, s.id, $2, s.channel, 'pending'
       FROM alerts a
       JOIN alert_subscriptions s ON a.rule = ANY(s.rules)
       LEFT JOIN users u ON u.id = s.user_id
      WHERE a.id = ANY($1::bigint[])
        AND (u.id IS NULL OR NOT u.disabled)
        AND (u.role = 'admin'
             OR a.audience = 'pool'
             OR (a.audience = 'organisation'
                 AND (s.organisation_id = a.organisation_id
                      OR (u.role = 'operator' AND u.organisation_id = a.organisation_id))))
        AND ($2 = 'opened' OR (s.send_resolved AND EXISTS (
              SELECT 1 FROM alert_deliveries o
               WHERE o.alert_id = a.id AND o.subscription_id = s.id AND o.notice = 'opened')))
     ON CONFLICT DO NOTHING`,
    [alertIds, notice],
  );
}

/** Up to where events (orders, blocks, payouts) have been read; null before the first look. */
export async function readCursor(db: Queryable, source: string): Promise<number | null> {
  const { rows } = await db.query<{ seen_until: Date }>(
    'SELECT seen_until FROM alert_cursors WHERE source = $1',
    [source],
  );
  return rows[0]?.seen_until.getTime() ?? null;
}

export async function writeCursor(db: Queryable, source: string, atMs: number): Promise<void> {
  await db.query(
    `INSERT INTO alert_cursors (source, seen_until) VALUES ($1, to_timestamp($2::double precision / 1000))
     ON CONFLICT (source) DO UPDATE SET seen_until = greatest(alert_cursors.seen_until, excluded.seen_until)`,
    [source, atMs],
  );
}

/** A delivery due now, with what it says and where it goes. */
export interface DueDelivery {
  readonly id: string;
  readonly subscriptionId: string;
  readonly channel: AlertChannel;
  readonly notice: 'opened' | 'resolved';
  readonly attempts: number;
  readonly target: string;
  /** The webhook's signing secret or the subscription's own bot token. Never logged. */
  readonly secret: string | null;
  /** The subscription's: e-mails and chat messages are worded in it. */
  readonly language: AlertLanguage;
  readonly alertId: string;
  readonly rule: AlertRule;
  readonly subject: string;
  readonly summary: string;
  readonly facts: Readonly<Record<string, unknown>>;
  readonly openedAt: Date;
  readonly resolvedAt: Date | null;
}

/** A due delivery as the database holds it: its subscription's secret still sealed. */
export interface ClaimedDelivery extends Omit<DueDelivery, 'secret'> {
  readonly sealedSecret: string | null;
  /** A secret stored before secrets were sealed (0030), until the writer seals it at start. */
  readonly plainSecret: string | null;
}

/**
 * Takes up to `limit` due deliveries, oldest first, and holds them for `leaseMs` so that
 * another process does not send them meanwhile (one that crashes mid-send frees them then).
 */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT id FROM alert_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now()
        ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
     )
     UPDATE alert_deliveries d SET next_attempt_at = now() + $2 * interval '1 millisecond'
       FROM due, alert_subscriptions s, alerts a
      WHERE d.id = due.id AND s.id = d.subscription_id AND a.id = d.alert_id
     RETURNING d.id::text, d.subscription_id::text AS "subscriptionId", d.channel, d.notice, d.attempts,
               s.target, s.sealed_secret AS "sealedSecret", s.secret AS "plainSecret", s.language, a.id::text AS "alertId", a.rule, a.subject, a.summary, a.facts,
               a.opened_at AS "openedAt", a.resolved_at AS "resolvedAt"`,
    [limit, leaseMs],
  );
  return rows;
}

/** Deliveries sent lately: per subscription over the last hour, and per channel over the last minute. */
export async function recentSends(
  db: Queryable,
): Promise<{ readonly bySubscription: Map<string, number>; readonly byChannel: Map<string, number> }> {
  const { rows } = await db.query<{ subscription_id: string; channel: string; hour: number; minute: number }>(
    `SELECT subscription_id::text, channel, count(*)::int AS hour,
            (count(*) FILTER (WHERE sent_at > now() - interval '1 minute'))::int AS minute
       FROM alert_deliveries
      WHERE status = 'sent' AND sent_at > now() - interval '1 hour'
      GROUP BY subscription_id, channel`,
  );
  const bySubscription = new Map<string, number>();
  const byChannel = new Map<string, number>();
  for (const row of rows) {
    bySubscription.set(row.subscription_id, row.hour);
    byChannel.set(row.channel, (byChannel.get(row.channel) ?? 0) + row.minute);
  }
  return { bySubscription, byChannel };
}

/** What became of one attempt. */
export type Outcome =
  | { readonly status: 'sent' }
  /** A failed attempt: tried again at `retryAtMs`, or, when null, failed for good. */
  | { readonly status: 'retry'; readonly error: string; readonly retryAtMs: number | null }
  /** Not sent, on purpose (a rate limit): why. */
  | { readonly status: 'suppressed'; readonly reason: string }
  /** Not attempted yet (its channel's limit this minute): tried at the next evaluation. */
  | { readonly status: 'deferred' };

export async function recordOutcome(
  db: Queryable,
  delivery: Pick<DueDelivery, 'id'>,
  outcome: Outcome,
): Promise<void> {
  switch (outcome.status) {
    case 'sent':
      await db.query(
        `UPDATE alert_deliveries SET status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = NULL
          WHERE id = $1`,
        [delivery.id],
      );
      return;
    case 'retry':
      await db.query(
        `UPDATE alert_deliveries
            SET attempts = attempts + 1, last_error = $2,
                status = CASE WHEN $3::double precision IS NULL THEN 'failed' ELSE 'pending' END,
                next_attempt_at = coalesce(to_timestamp($3::double precision / 1000), next_attempt_at)
          WHERE id = $1`,
        [delivery.id, outcome.error, outcome.retryAtMs],
      );
      return;
    case 'suppressed':
      await db.query(`UPDATE alert_deliveries SET status = 'suppressed', last_error = $2 WHERE id = $1`, [
        delivery.id,
        outcome.reason,
      ]);
      return;
    case 'deferred':
      await db.query('UPDATE alert_deliveries SET next_attempt_at = now() WHERE id = $1', [delivery.id]);
      return;
  }
}
