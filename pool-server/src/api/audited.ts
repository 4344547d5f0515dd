import type { FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { AuditActor, Farm, User } from '@hashwatt/schemas';
import { recordAudit, type AuditScope } from '../accounts/audit-log.ts';
import type { Database } from '../db/pool.ts';
import { withTransaction } from '../db/transaction.ts';
import type { Caller } from './access.ts';

/** What a change did, for its audit entry: never a password, a key or a token. */
export interface AuditedChange<T> {
  /** What the route answers. */
  readonly result: T;
  /** The ids the change touched, by kind: `{ farm: '3', tariff: '12' }`. */
  readonly ids: Readonly<Record<string, string>>;
  /** Whose the change is (who may read the entry); the actor's organisation when absent. */
  readonly scope?: AuditScope;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** A request that found nothing to change (a batch already stored): it leaves no entry. */
export interface Unchanged<T> {
  readonly result: T;
  readonly unchanged: true;
}

/** The caller as an audit entry names it, as it is at the time of the request. */
function actorOf(caller: Caller): AuditActor {
  switch (caller.kind) {
    case 'user':
      return userActor(caller.session.user);
    case 'agent':
      return {
        kind: 'agent',
        userId: null,
        email: null,
        role: null,
        organisationId: null,
        keyId: caller.keyId,
      };
    case 'anonymous':
      return anonymousActor(null);
  }
}

export function userActor(user: User): AuditActor {
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    role: user.role,
    organisationId: user.organisationId,
    keyId: null,
  };
}

/** Nobody known: a failed sign-in names the email that was tried. */
export function anonymousActor(email: string | null): AuditActor {
  return { kind: 'anonymous', userId: null, email, role: null, organisationId: null, keyId: null };
}

/** A farm's change belongs to its organisation and to the jurisdiction it is licensed in. */
export function farmScope(farm: Farm): AuditScope {
  return {
    organisationId: farm.organisationId,
    farmId: farm.id,
    country: farm.country,
    regions: farm.region === null ? [] : [farm.region],
  };
}

function entryOf(request: FastifyRequest, action: string, actor: AuditActor) {
  return {
    action,
    method: request.method,
    route: request.routeOptions.url ?? request.url,
    requestId: request.id,
    actor,
  };
}

/**
 * Runs a state-changing request's `change` and writes its audit entry in one
 * transaction: both commit, or neither does. `change` must make every write on `tx`.
 */
export async function audited<T>(
  db: Database,
  request: FastifyRequest,
  action: string,
  change: (tx: pg.PoolClient) => Promise<AuditedChange<T> | Unchanged<T>>,
): Promise<T> {
  return withTransaction(db, async (tx) => {
    const done = await change(tx);
    if ('unchanged' in done) {
      return done.result;
    }
    await recordAudit(tx, {
      ...entryOf(request, action, actorOf(request.caller)),
      scope: done.scope ?? {},
      ids: done.ids,
      before: done.before,
      after: done.after,
    });
    return done.result;
  });
}

/**
 * Records an entry on its own, outside any change's transaction: a failed sign-in (the
 * request fails, the entry stays), or a sign-in step whose writes the sign-in code makes
 * on the pool itself.
 */
export async function auditApart(
  db: Database,
  request: FastifyRequest,
  entry: {
    readonly action: string;
    readonly actor: AuditActor;
    readonly ids?: Readonly<Record<string, string>>;
    readonly after?: unknown;
  },
): Promise<void> {
  await recordAudit(db, {
    ...entryOf(request, entry.action, entry.actor),
    scope: {},
    ids: entry.ids ?? {},
    after: entry.after,
  });
}
