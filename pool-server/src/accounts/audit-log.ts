import type { AuditActor, AuditEntry, AuditExportFormat, AuditFilter, AuditQuery } from '@hashwatt/schemas';
import type { Queryable } from '../db/pool.ts';
import { HwError } from '../errors.ts';
import { csvField, inertText } from '../csv-cells.ts';

/**
 * Whose a change is: who may read its entry follows from these. A farm's change names
 * the farm, its organisation and where it is licensed (as it stands after the change);
 * an organisation's names the organisation; the pool's own (fees, prices) none.
 */
export interface AuditScope {
  readonly organisationId?: string | null;
  readonly farmId?: string | null;
  readonly country?: string | null;
  readonly regions?: readonly string[];
}

/** One state-changing request, as the API records it. Never a password, a key or a token. */
export interface AuditRecord {
  readonly action: string;
  readonly method: string;
  readonly route: string;
  readonly requestId: string | null;
  readonly actor: AuditActor;
  readonly scope: AuditScope;
  readonly ids: Readonly<Record<string, string>>;
  readonly before?: unknown;
  readonly after?: unknown;
}

/**
 * Who reads which entries: an admin all; an operator its organisation's; a regulator the
 * entries of its jurisdiction (as reports are scoped: the country, and where the
 * regulator has regions, entries of those regions only) and its own actions.
 */
export type AuditViewer =
  | { readonly kind: 'all' }
  | { readonly kind: 'organisation'; readonly organisationId: string }
  | {
      readonly kind: 'jurisdiction';
      readonly country: string;
      readonly regions: readonly string[];
      readonly userId: string;
    };

/** Appends one entry; on a connection inside a transaction, it commits or rolls back with the change. */
export async function recordAudit(db: Queryable, record: AuditRecord): Promise<void> {
  const { actor, scope } = record;
  await db.query(
    `INSERT INTO audit_log (action, method, route, request_id, actor_kind, actor_user_id, actor_email, actor_role,
                            actor_organisation_id, actor_key_id, organisation_id, farm_id, country, regions,
                            ids, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      record.action,
      record.method,
      record.route,
      record.requestId,
      actor.kind,
      actor.userId,
      actor.email,
      actor.role,
      actor.organisationId,
      actor.keyId,
      scope.organisationId ?? actor.organisationId,
      scope.farmId ?? null,
      scope.country ?? null,
      scope.regions ?? [],
      JSON.stringify(record.ids),
      record.before === undefined ? null : JSON.stringify(record.before),
      record.after === undefined ? null : JSON.stringify(record.after),
    ],
  );
}

interface AuditRow {
  readonly id: string;
  readonly at: Date;
  readonly action: string;
  readonly method: string;
  readonly route: string;
  readonly request_id: string | null;
  readonly actor_kind: AuditActor['kind'];
  readonly actor_user_id: string | null;
  readonly actor_email: string | null;
  readonly actor_role: string | null;
  readonly actor_organisation_id: string | null;
  readonly actor_key_id: string | null;
  readonly organisation_id: string | null;
  readonly farm_id: string | null;
  readonly country: string | null;
  readonly regions: string[];
  readonly ids: Record<string, string>;
  readonly before: unknown;
  readonly after: unknown;
}

const COLUMNS = `id::text, at, action, method, route, request_id, actor_kind, actor_user_id::text, actor_email,
  actor_role, actor_organisation_id::text, actor_key_id::text, organisation_id::text, farm_id::text, country,
  regions, ids, before, after`;

function entryFrom(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    method: row.method,
    route: row.route,
    requestId: row.request_id,
    actor: {
      kind: row.actor_kind,
      userId: row.actor_user_id,
      email: row.actor_email,
      role: row.actor_role,
      organisationId: row.actor_organisation_id,
      keyId: row.actor_key_id,
    },
    organisationId: row.organisation_id,
    farmId: row.farm_id,
    country: row.country,
    regions: row.regions,
    ids: row.ids,
    before: row.before,
    after: row.after,
  };
}

/** The WHERE clause of a viewer's filtered entries, its parameters numbered from $1. */
function whereOf(viewer: AuditViewer, filter: AuditFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const clauses: string[] = [];
  const param = (value: unknown): string => `$${String(params.push(value))}`;
  if (viewer.kind === 'organisation') {
    clauses.push(`organisation_id = ${param(viewer.organisationId)}`);
  }
  if (viewer.kind === 'jurisdiction') {
    const regions = param(viewer.regions);
    clauses.push(
      `((country = ${param(viewer.country)}
          AND (cardinality(${regions}::text[]) = 0
               OR (cardinality(regions) > 0 AND regions <@ ${regions}::text[])))
        OR actor_user_id = ${param(viewer.userId)})`,
    );
  }
  if (filter.from !== undefined) {
    clauses.push(`at >= ${param(filter.from)}`);
  }
  if (filter.to !== undefined) {
    clauses.push(`at < ${param(filter.to)}`);
  }
  // The schema allows letters, digits, '-' and '.' in a family: nothing LIKE would read as a wildcard.
  const actionMatch = (action: string): string =>
    action.endsWith('.*') ? `action LIKE ${param(`${action.slice(0, -1)}%`)}` : `action = ${param(action)}`;
  if (filter.action !== undefined) {
    clauses.push(actionMatch(filter.action));
  }
  if (filter.excludeAction !== undefined) {
    clauses.push(`NOT ${actionMatch(filter.excludeAction)}`);
  }
  if (filter.actor !== undefined) {
    const key = /^key:([1-9][0-9]{0,17})$/.exec(filter.actor);
    clauses.push(
      key
        ? `actor_key_id = ${param(key[1])}`
        : /^[1-9][0-9]{0,17}$/.test(filter.actor)
          ? `actor_user_id = ${param(filter.actor)}`
          : `lower(actor_email) = lower(${param(filter.actor)})`,
    );
  }
  if (filter.farm !== undefined) {
    clauses.push(`farm_id = ${param(filter.farm)}`);
  }
  if (filter.organisation !== undefined) {
    clauses.push(`organisation_id = ${param(filter.organisation)}`);
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** One page of the entries a viewer may read, newest first. */
export async function readAuditLog(
  db: Queryable,
  viewer: AuditViewer,
  query: AuditQuery,
): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
  const { limit = 50, cursor, ...filter } = query;
  const where = whereOf(viewer, filter);
  const params = [...where.params];
  const older =
    cursor === undefined ? '' : `${where.sql === '' ? 'WHERE' : ' AND'} id < $${String(params.push(cursor))}`;
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log ${where.sql}${older} ORDER BY audit_log.id DESC LIMIT $${String(params.push(limit + 1))}`,
    params,
  );
  const entries = rows.slice(0, limit).map(entryFrom);
  return { entries, nextCursor: rows.length > limit ? (entries.at(-1)?.id ?? null) : null };
}

/** An export holds at most this many entries; a longer one asks for a narrower period. */
const EXPORT_MAX_ENTRIES = 100_000;

const CSV_COLUMNS = [
  'id',
  'at',
  'action',
  'method',
  'route',
  'request_id',
  'actor_kind',
  'actor_user_id',
  'actor_email',
  'actor_role',
  'actor_organisation_id',
  'actor_key_id',
  'organisation_id',
  'farm_id',
  'country',
  'regions',
  'ids',
  'before',
  'after',
] as const;

function csvLine(entry: AuditEntry): string {
  const json = (value: unknown): string =>
    value === null || value === undefined ? '' : JSON.stringify(value);
  const cells = [
    entry.id,
    entry.at,
    entry.action,
    entry.method,
    entry.route,
    entry.requestId ?? '',
    entry.actor.kind,
    entry.actor.userId ?? '',
    entry.actor.email ?? '',
    entry.actor.role ?? '',
    entry.actor.organisationId ?? '',
    entry.actor.keyId ?? '',
    entry.organisationId ?? '',
    entry.farmId ?? '',
    entry.country ?? '',
    entry.regions.join(' '),
    json(entry.ids),
    json(entry.before),
    json(entry.after),
  ];
  // Emails, routes and changed values come from users: a spreadsheet must read them as text.
  return cells.map((cell) => csvField(inertText(cell))).join(',');
}

/**
 * Every entry a viewer may read that the filter matches, newest first, as a file:
 * CSV (RFC 4180, CRLF, a UTF-8 byte order mark, formula cells made inert) or JSON.
 */
export async function exportAuditLog(
  db: Queryable,
  viewer: AuditViewer,
  filter: AuditFilter,
  format: AuditExportFormat,
): Promise<Buffer> {
  const where = whereOf(viewer, filter);
  const { rows } = await db.query<AuditRow>(
    `SELECT ${COLUMNS} FROM audit_log ${where.sql} ORDER BY audit_log.id DESC LIMIT $${String(where.params.length + 1)}`,
    [...where.params, EXPORT_MAX_ENTRIES + 1],
  );
  if (rows.length > EXPORT_MAX_ENTRIES) {
    throw new HwError('HW_ERR_AUDIT_EXPORT_TOO_LARGE');
  }
  const entries = rows.map(entryFrom);
  if (format === 'json') {
    return Buffer.from(JSON.stringify(entries), 'utf8');
  }
  const text = [CSV_COLUMNS.join(','), ...entries.map(csvLine)].join('\r\n');
  return Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
}
