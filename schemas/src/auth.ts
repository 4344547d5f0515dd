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

/**
 * Whether the user signs in with a second factor (an authenticator app's code), and
 * whether the user must: admins and regulators always, operators when their
 * organisation requires it. A session of a user who must and has none may only set
 * one up (HW_ERR_TWO_FACTOR_REQUIRED everywhere else).
 */
export const TwoFactorState = Type.Object({
  enabled: Type.Boolean(),
  required: Type.Boolean(),
});
export type TwoFactorState = Static<typeof TwoFactorState>;

/** The signed-in user, and the token every state-changing request must echo in `x-csrf-token`. */
export const SessionView = Type.Object({
  user: User,
  csrfToken: Type.String(),
  expiresAt: Timestamp,
  twoFactor: TwoFactorState,
});
export type SessionView = Static<typeof SessionView>;

/**
 * The answer to the right password of a user with a second factor: no session yet, but
 * this single-use challenge, to send with a code to POST /api/auth/login/two-factor
 * within 5 minutes.
 */
export const SignInChallenge = Type.Object({
  challenge: Type.String(),
  expiresAt: Timestamp,
});
export type SignInChallenge = Static<typeof SignInChallenge>;

/** What POST /api/auth/login answers: a session, or the challenge of the second step. */
export const LoginAnswer = Type.Union([SessionView, SignInChallenge]);
export type LoginAnswer = Static<typeof LoginAnswer>;

/** A 6-digit code of the authenticator app, or a recovery code (any case, dashes optional). */
export const SecondFactorCode = Type.String({ minLength: 6, maxLength: 32, examples: ['123456'] });

export const SecondFactorBody = Type.Object(
  {
    challenge: Type.String({ minLength: 1, maxLength: 100 }),
    code: SecondFactorCode,
  },
  { additionalProperties: false },
);
export type SecondFactorBody = Static<typeof SecondFactorBody>;

/** A new authenticator: the secret as an app takes it by hand, and as a QR code carries it. */
export const TwoFactorEnrolment = Type.Object({
  secret: Type.String({ examples: ['JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'] }),
  uri: Type.String({ examples: ['otpauth://totp/hashwatt:admin%40pool.test?issuer=hashwatt&secret=…'] }),
});
export type TwoFactorEnrolment = Static<typeof TwoFactorEnrolment>;

/** The first code of the new authenticator: two-factor sign-in is on once it is right. */
export const TwoFactorConfirmBody = Type.Object(
  { code: Type.String({ pattern: '^\\s*[0-9]{6}\\s*$' }) },
  { additionalProperties: false },
);
export type TwoFactorConfirmBody = Static<typeof TwoFactorConfirmBody>;

/** Proof it is the user at the keyboard, before turning the second factor off or renewing codes. */
export const TwoFactorProof = Type.Object(
  {
    code: Type.Optional(SecondFactorCode),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
);
export type TwoFactorProof = Static<typeof TwoFactorProof>;

/** Single-use codes for a lost phone: shown once, only their hashes are kept. */
export const RecoveryCodes = Type.Object({
  recoveryCodes: Type.Array(Type.String(), { examples: [['abcd-efgh-ijkl-mnop']] }),
});
export type RecoveryCodes = Static<typeof RecoveryCodes>;

export const TwoFactorStatus = Type.Object({
  enabled: Type.Boolean(),
  required: Type.Boolean(),
  /** Unused recovery codes. */
  recoveryCodesLeft: Type.Integer({ minimum: 0 }),
});
export type TwoFactorStatus = Static<typeof TwoFactorStatus>;

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
