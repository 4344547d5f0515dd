import Type, { type Static } from 'typebox';
import { Email, Jurisdiction, NewPassword, Role } from './auth.ts';
import { Sats, Timestamp } from './common.ts';
import { PayoutScheme } from './pool.ts';

export const Organisation = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Every member must sign in with a second factor (admins and regulators always must). */
  requireTwoFactor: Type.Boolean(),
  createdAt: Timestamp,
});
export type Organisation = Static<typeof Organisation>;

export const OrganisationCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    requireTwoFactor: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);
export type OrganisationCreate = Static<typeof OrganisationCreate>;

/** Turning requireTwoFactor on limits members without a second factor to setting one up, at once. */
export const OrganisationPatch = Type.Object(
  { requireTwoFactor: Type.Boolean() },
  { additionalProperties: false },
);
export type OrganisationPatch = Static<typeof OrganisationPatch>;

/**
 * An operator belongs to an organisation, a regulator has a jurisdiction, an admin
 * neither; the API refuses any other combination.
 */
export const UserCreate = Type.Object(
  {
    email: Email,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    password: NewPassword,
    role: Role,
    organisationId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$' })),
    jurisdiction: Type.Optional(Jurisdiction),
  },
  { additionalProperties: false },
);
export type UserCreate = Static<typeof UserCreate>;

export const UserPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    password: Type.Optional(NewPassword),
    disabled: Type.Optional(Type.Boolean()),
    /** A new role comes with its binding, as in UserCreate: an operator's organisation, a regulator's jurisdiction. */
    role: Type.Optional(Role),
    organisationId: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,17}$' })),
    jurisdiction: Type.Optional(Jurisdiction),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UserPatch = Static<typeof UserPatch>;

/** What an admin may change while the pool runs; the rest is configuration. */
export const PoolSettings = Type.Object({
  scheme: PayoutScheme,
  feePercent: Type.Number({ minimum: 0, maximum: 99.99 }),
  soloFeePercent: Type.Number({ minimum: 0, maximum: 99.99 }),
  pplnsWindowFactor: Type.Number({ minimum: 0.01, maximum: 100 }),
  payoutsEnabled: Type.Boolean(),
  payoutThresholdSats: Sats,
  maturityConfirmations: Type.Integer({ minimum: 1 }),
});
export type PoolSettings = Static<typeof PoolSettings>;

export const PoolSettingsPatch = Type.Object(
  {
    feePercent: Type.Optional(Type.Number({ minimum: 0, maximum: 99.99 })),
    payoutsEnabled: Type.Optional(Type.Boolean()),
    payoutThresholdSats: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 2_100_000_000_000_000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PoolSettingsPatch = Static<typeof PoolSettingsPatch>;
