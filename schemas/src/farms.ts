import Type, { type Static } from 'typebox';
import { Timestamp } from './common.ts';

export const Farm = Type.Object({
  id: Type.String(),
  organisationId: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
});
export type Farm = Static<typeof Farm>;

export const FarmCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type FarmCreate = Static<typeof FarmCreate>;

/** A farm agent's key as it is listed: never the key itself. */
export const ApiKey = Type.Object({
  id: Type.String(),
  farmId: Type.String(),
  label: Type.String(),
  /** The key's first characters, to tell keys apart. */
  prefix: Type.String(),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});
export type ApiKey = Static<typeof ApiKey>;

export const ApiKeyCreate = Type.Object(
  { label: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export type ApiKeyCreate = Static<typeof ApiKeyCreate>;

/** The key is shown here once; only its hash is kept. */
export const ApiKeyCreated = Type.Object({
  apiKey: ApiKey,
  key: Type.String(),
});
export type ApiKeyCreated = Static<typeof ApiKeyCreated>;

export const FarmKeyParams = Type.Object({
  id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
  keyId: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
});
export type FarmKeyParams = Static<typeof FarmKeyParams>;
