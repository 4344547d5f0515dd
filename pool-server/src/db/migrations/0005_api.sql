-- Who uses the API: organisations and their users, sessions, farms and their agents' keys.

CREATE TABLE organisations (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- An operator belongs to an organisation, a regulator has a jurisdiction, an admin neither.
CREATE TABLE users (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  name text NOT NULL,
  -- scrypt$N$r$p$salt$hash (base64): never the password.
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'regulator')),
  organisation_id bigint REFERENCES organisations (id),
  jurisdiction_country text CHECK (jurisdiction_country ~ '^[A-Z]{2}$'),
  jurisdiction_regions text[] NOT NULL DEFAULT '{}',
  disabled boolean NOT NULL DEFAULT false,
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((role = 'operator') = (organisation_id IS NOT NULL)),
  CHECK ((role = 'regulator') = (jurisdiction_country IS NOT NULL))
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- A session is found by the SHA-256 of its cookie; the cookie itself is never stored.
CREATE TABLE sessions (
  token_hash bytea PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE farms (
  id bigserial PRIMARY KEY,
  organisation_id bigint NOT NULL REFERENCES organisations (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (organisation_id, name)
);

-- A farm agent's key: 'hwk_' + prefix + secret; the SHA-256 of the whole key is kept.
CREATE TABLE api_keys (
  id bigserial PRIMARY KEY,
  farm_id bigint NOT NULL REFERENCES farms (id),
  label text NOT NULL,
  prefix text NOT NULL,
  key_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_farm ON api_keys (farm_id);

-- Settings an admin changes while the pool runs (pool fee, payouts); absent keys use the configuration.
CREATE TABLE pool_settings (
  key text PRIMARY KEY CHECK (key IN ('feePercent', 'payoutsEnabled', 'payoutThresholdSats')),
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by bigint REFERENCES users (id)
);

-- Miner pages: an account's payments, newest first.
CREATE INDEX payout_items_account ON payout_items (account_id);
CREATE INDEX payouts_sent ON payouts (sent_at DESC) WHERE status = 'sent';

-- Who mined lately (the pool's miner and worker counts): minutes are folded roughly in time order.
CREATE INDEX share_rollups_minute_bucket_brin ON share_rollups_minute USING brin (bucket);
