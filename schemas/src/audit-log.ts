import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

const numericId = (description: string) => Type.String({ pattern: '^[1-9][0-9]{0,17}$', description });

/** Who made a change: a signed-in user as it was then, a farm agent's key, or nobody known (a failed sign-in). */
export const AuditActor = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('agent'), Type.Literal('anonymous')]),
  userId: Nullable(Type.String()),
  /** The user's email; for a failed sign-in, the email that was tried. */
  email: Nullable(Type.String()),
  role: Nullable(Type.String()),
  organisationId: Nullable(Type.String()),
  /** The agent's API key. */
  keyId: Nullable(Type.String()),
});
export type AuditActor = Static<typeof AuditActor>;

/** One state-changing API request, kept unchanged for ever. */
export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  action: Type.String({ examples: ['farm.update', 'auth.sign-in-failed', 'agent.telemetry'] }),
  method: Type.String(),
  route: Type.String({ examples: ['/api/farms/:id'] }),
  requestId: Nullable(Type.String()),
  actor: AuditActor,
  /** Whose the change is: who may read the entry follows from these. */
  organisationId: Nullable(Type.String()),
  farmId: Nullable(Type.String()),
  country: Nullable(Type.String()),
  regions: Type.Array(Type.String()),
  /** The ids the change touched, by kind. */
  ids: Type.Record(Type.String(), Type.String()),
  before: Type.Unknown(),
  after: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** An action name, or a family of them: `farm.*`. */
const actionFilter = (description: string) =>
  Type.String({ pattern: '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*(\\.\\*)?$', maxLength: 100, description });

export const AuditFilter = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Entries at or after this.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Entries before this.' })),
    action: Type.Optional(actionFilter('Only this action, or family of actions (farm.*).')),
    excludeAction: Type.Optional(actionFilter('Leaves out an action or family, e.g. agent.telemetry.')),
    actor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 254,
        description: "A user's email or id, or an agent key as key:<id>.",
      }),
    ),
    farm: Type.Optional(numericId('Entries about this farm.')),
    organisation: Type.Optional(numericId("Entries about this organisation's things.")),
  },
  { additionalProperties: false },
);
export type AuditFilter = Static<typeof AuditFilter>;

export const AuditQuery = Type.Object(
  {
    ...AuditFilter.properties,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(numericId("A previous page's nextCursor: the entries older than it.")),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

/** Newest first; `nextCursor` fetches the older entries, null on the last page. */
export const AuditPage = Type.Object({
  entries: Type.Array(AuditEntry),
  nextCursor: Nullable(Type.String()),
});
export type AuditPage = Static<typeof AuditPage>;

export const AuditExportFormat = Type.Union([Type.Literal('csv'), Type.Literal('json')]);
export type AuditExportFormat = Static<typeof AuditExportFormat>;

export const AuditExportQuery = Type.Object(
  { ...AuditFilter.properties, format: AuditExportFormat },
  { additionalProperties: false },
);
export type AuditExportQuery = Static<typeof AuditExportQuery>;
