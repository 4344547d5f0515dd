import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

/** Who may see what (DESIGN.md): anonymous callers and miners need no account. */
export const Role = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('regulator')]);
export type Role = Static<typeof Role>;

/** A regulator's reach: a country (ISO 3166-1 alpha-2), optionally some of its regions (ISO 3166-2). */
export const Jurisdiction = Type.Object({
  country: Type.String({ pattern: '^[A-Z]{2}$', examples: ['IR', 'RU'] }),
  regions: Type.Array(Type.String({ pattern: '^[A-Z]{2}-[A-Z0-9]{1,3}$' }), { maxItems: 100 }),
});
export type Jurisdiction = Static<typeof Jurisdiction>;

export const Email = Type.String({ format: 'email', maxLength: 254 });

export const User = Type.Object({
  id: Type.String(),
  email: Email,
  name: Type.String(),
  role: Role,
  organisationId: Nullable(Type.String()),
  jurisdiction: Nullable(Jurisdiction),
  disabled: Type.Boolean(),
  createdAt: Timestamp,
});
export type User = Static<typeof User>;

export const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

/** The signed-in user, and the token every state-changing request must echo in `x-csrf-token`. */
export const SessionView = Type.Object({
  user: User,
  csrfToken: Type.String(),
  expiresAt: Timestamp,
});
export type SessionView = Static<typeof SessionView>;

/** New passwords: long enough to resist guessing, short enough to hash cheaply. */
export const NewPassword = Type.String({ minLength: 12, maxLength: 1024 });

/** A signed-in user's own password change: the current password, checked as a sign-in is, and the new one. */
export const PasswordChange = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: NewPassword,
  },
  { additionalProperties: false },
);
export type PasswordChange = Static<typeof PasswordChange>;
