/**
 * Who is told of alerts, and where: a user's own subscriptions and an organisation's.
 * Whose a subscription may be is the API's check (api/routes/alerts); here it is made,
 * listed for a viewer, and removed. A webhook's signing secret is made here and returned
 * once; it and a bot token are stored sealed (secret-keys.ts) and never listed.
 */
import { randomBytes } from 'node:crypto';
import type {
  AlertDelivery,
  AlertLanguage,
  AlertSubscription,
  AlertSubscriptionCreate,
  AlertSubscriptionCreated,
} from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import type { AlertSecretKeys } from './secret-keys.ts';

/** Whose subscriptions a viewer sees: its own and its organisation's; an admin every one. */
export type Viewer =
  | { readonly kind: 'admin' }
  | { readonly kind: 'member'; readonly userId: string; readonly organisationId: string | null };

interface SubscriptionRow {
  readonly id: string;
  readonly user_id: string | null;
  readonly organisation_id: string | null;
  readonly channel: AlertSubscription['channel'];
  readonly target: string;
  readonly rules: AlertSubscription['rules'];
  readonly send_resolved: boolean;
  readonly label: string;
  readonly language: AlertLanguage;
  readonly created_at: Date;
}

const COLUMNS =
  'id::text, user_id::text, organisation_id::text, channel, target, rules, send_resolved, label, language, created_at';

function subscriptionFrom(row: SubscriptionRow): AlertSubscription {
  return {
    id: row.id,
    userId: row.user_id,
    organisationId: row.organisation_id,
    channel: row.channel,
    target: row.target,
    rules: row.rules,
    sendResolved: row.send_resolved,
    label: row.label,
    language: row.language,
    createdAt: row.created_at.toISOString(),
  };
}

/** The subscriptions a viewer sees, as a WHERE clause on `s` over parameters from $1. */
function visibleTo(viewer: Viewer): { readonly where: string; readonly params: unknown[] } {
  return viewer.kind === 'admin'
    ? { where: 'true', params: [] }
    : {
        where: 's.user_id = $1 OR s.organisation_id = $2',
        params: [viewer.userId, viewer.organisationId],
      };
}

/** Where each channel may send: checked before anything is stored. */
function checkTarget(input: AlertSubscriptionCreate): void {
  const bad = (message: string): never => {
    throw new HwError('HW_ERR_VALIDATION', message, 'body.target');
  };
  const { channel, target } = input;
  if (channel === 'webhook') {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return bad('A webhook target is an http or https URL.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      bad('A webhook target is an http or https URL.');
    }
    if (url.username !== '' || url.password !== '') {
      bad('A webhook URL carries no user or password: its requests are signed instead.');
    }
  } else if (channel === 'email') {
    if (!/^[^\s@<>,;]{1,64}@[^\s@<>,;]{1,255}$/.test(target)) {
      bad('An e-mail target is one address: name@example.org.');
    }
  } else if (!/^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/.test(target)) {
    bad('A Telegram target is a chat id (123456789, -100…) or a channel name (@name).');
  }
  if (input.botToken !== undefined && channel !== 'telegram') {
    throw new HwError(
      'HW_ERR_VALIDATION',
      'Only a Telegram subscription takes a bot token.',
      'body.botToken',
    );
  }
}

/**
 * Subscriptions one user, or one organisation, may hold: each can make the pool send, so
 * without a bound one account could turn the pool into a sender of any volume to any target.
 */
export const MAX_SUBSCRIPTIONS_PER_OWNER = 50;

/**
 * Makes a subscription for `owner`; a webhook's signing secret is in this answer only, and
 * sealed under `keys` in the row. `db`: a transaction, which the owner's lock lasts for
 * (two creations at once count each other).
 */
export async function createSubscription(
  db: Queryable,
  input: AlertSubscriptionCreate,
  owner: { readonly userId: string } | { readonly organisationId: string },
  createdBy: string,
  keys: AlertSecretKeys | undefined,
): Promise<AlertSubscriptionCreated> {
  checkTarget(input);
  const [column, ownerId] =
    'userId' in owner ? ['user_id', owner.userId] : ['organisation_id', owner.organisationId];
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`alert-subscriptions:${column}:${ownerId}`]);
  const { rows: held } = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM alert_subscriptions WHERE ${column} = $1`,
    [ownerId],
  );
  if ((held[0]?.count ?? 0) >= MAX_SUBSCRIPTIONS_PER_OWNER) {
    throw new HwError('HW_ERR_ALERT_SUBSCRIPTION_LIMIT', undefined, 'body');
  }
  const webhookSecret = input.channel === 'webhook' ? randomBytes(32).toString('base64url') : null;
  const secret = webhookSecret ?? input.botToken ?? null;
  if (secret !== null && keys === undefined) {
    throw new Error('no alert secret key was given: a secret is never stored unsealed');
  }
  // The id is the sealed secret's additional data: taken first, so the row is written once.
  const { rows: ids } = await db.query<{ id: string }>(
    "SELECT nextval(pg_get_serial_sequence('alert_subscriptions', 'id'))::text AS id",
  );
  const id = (ids[0] as { id: string }).id;
  const { rows } = await db.query<SubscriptionRow>(
    `INSERT INTO alert_subscriptions AS s (id, user_id, organisation_id, channel, target, sealed_secret, rules, send_resolved, label, language, created_by)
     VALUES ($11, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
    [
      'userId' in owner ? owner.userId : null,
      'organisationId' in owner ? owner.organisationId : null,
      input.channel,
      input.target,
      secret === null ? null : keys?.seal(secret, id),
      input.rules,
      input.sendResolved ?? false,
      input.label ?? '',
      input.language ?? 'en',
      createdBy,
      id,
    ],
  );
  return { subscription: subscriptionFrom(rows[0] as SubscriptionRow), webhookSecret };
}

export async function listSubscriptions(db: Queryable, viewer: Viewer): Promise<AlertSubscription[]> {
  const { where, params } = visibleTo(viewer);
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM alert_subscriptions s WHERE ${where} ORDER BY s.id`,
    params,
  );
  return rows.map(subscriptionFrom);
}

/** Removes one the viewer sees (with its deliveries); another's answers 404, as if absent. */
export async function deleteSubscription(
  db: Queryable,
  viewer: Viewer,
  id: string,
): Promise<AlertSubscription> {
  const { where, params } = visibleTo(viewer);
  const { rows } = await db.query<SubscriptionRow>(
    `DELETE FROM alert_subscriptions s WHERE s.id = $${String(params.length + 1)} AND (${where}) RETURNING ${COLUMNS}`,
    [...params, id],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_ALERT_SUBSCRIPTION_NOT_FOUND', undefined, 'params.id');
  }
  return subscriptionFrom(row);
}

/** The latest deliveries to the subscriptions the viewer sees, newest first. */
export async function listDeliveries(db: Queryable, viewer: Viewer, limit: number): Promise<AlertDelivery[]> {
  const { where, params } = visibleTo(viewer);
  const { rows } = await db.query<{
    id: string;
    subscription_id: string;
    channel: AlertDelivery['channel'];
    notice: AlertDelivery['notice'];
    rule: AlertDelivery['rule'];
    subject: string;
    summary: string;
    status: AlertDelivery['status'];
    attempts: number;
    last_error: string | null;
    created_at: Date;
    sent_at: Date | null;
  }>(
    `SELECT d.id::text, d.subscription_id::text, d.channel, d.notice, a.rule, a.subject, a.summary, d.status,
            d.attempts, d.last_error, d.created_at, d.sent_at
       FROM alert_deliveries d
       JOIN alert_subscriptions s ON s.id = d.subscription_id
       JOIN alerts a ON a.id = d.alert_id
      WHERE ${where}
      ORDER BY d.id DESC LIMIT $${String(params.length + 1)}`,
    [...params, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    subscriptionId: row.subscription_id,
    channel: row.channel,
    notice: row.notice,
    rule: row.rule,
    subject: row.subject,
    summary: row.summary,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  }));
}

/** Seals the secrets the WHERE clause picks, each under the current key; returns how many. */
async function sealWhere(
  db: Queryable,
  keys: AlertSecretKeys,
  where: string,
  params: unknown[],
): Promise<number> {
  const { rows } = await db.query<{ id: string; secret: string | null; sealed_secret: string | null }>(
    `SELECT id::text, secret, sealed_secret FROM alert_subscriptions WHERE ${where} ORDER BY id FOR UPDATE`,
    params,
  );
  for (const row of rows) {
    const secret = row.secret ?? keys.open(row.sealed_secret ?? '', row.id);
    await db.query('UPDATE alert_subscriptions SET sealed_secret = $2, secret = NULL WHERE id = $1', [
      row.id,
      keys.seal(secret, row.id),
    ]);
  }
  return rows.length;
}

/** Seals the secrets stored in plain before migration 0030; the writer does it as it starts. */
export function sealPlainSecrets(db: Queryable, keys: AlertSecretKeys): Promise<number> {
  return sealWhere(db, keys, 'secret IS NOT NULL', []);
}

/**
 * After a rotation: seals again, under the new key, every secret sealed under another
 * (which must still be at hand, retired beside the file). `db`: one transaction, so a
 * secret that does not open leaves every row as it was.
 */
export function resealSecrets(db: Queryable, keys: AlertSecretKeys): Promise<number> {
  return sealWhere(db, keys, "secret IS NOT NULL OR split_part(sealed_secret, '.', 2) <> $1", [
    keys.currentId,
  ]);
}
