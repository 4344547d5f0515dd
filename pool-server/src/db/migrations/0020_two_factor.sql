-- Two-factor sign-in: [RFC 6238] TOTP secrets, recovery codes, and the short-lived
-- challenge that stands between the password and the session.

-- An organisation may require every member to sign in with a second factor; admins
-- and regulators always must.
ALTER TABLE organisations ADD COLUMN require_two_factor boolean NOT NULL DEFAULT false;

-- One authenticator per user. The secret is kept as the authenticator app has it
-- (base32), not encrypted: anyone who reads this table could compute codes, as anyone
-- who reads sessions could ride them. enabled_at is null while enrolment waits for
-- the first code; last_step is the last time step accepted, so no code works twice.
CREATE TABLE two_factor (
  user_id bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret text NOT NULL,
  enabled_at timestamptz,
  last_step bigint,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Single-use codes for a lost authenticator: only their SHA-256 (80 random bits each,
-- too many to try offline, so no salt or stretching).
CREATE TABLE recovery_codes (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash bytea NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- The right password of a user with two-factor sign-in earns this, not a session: it
-- is found by the SHA-256 of its token, lives 5 minutes and is used once.
CREATE TABLE sign_in_challenges (
  token_hash bytea PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  failures integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sign_in_challenges_expires ON sign_in_challenges (expires_at);
