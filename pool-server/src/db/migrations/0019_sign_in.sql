-- Sign-in throttling instead of account locks, and sessions that end when left idle.

-- A lock any stranger could set off (five wrong passwords) is gone: sign_in_throttles slows guessing instead.
ALTER TABLE users DROP COLUMN failed_logins, DROP COLUMN locked_until;

-- One gate of the sign-in throttle (accounts/sign-in-throttle.ts): 'account:<email>' or 'address:<ip>'.
CREATE TABLE sign_in_throttles (
  key text PRIMARY KEY,
  -- Wrong passwords since the gate was last forgiven, attempts in flight included.
  failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
  -- No attempt through this gate before this moment.
  next_attempt_at timestamptz NOT NULL DEFAULT '1970-01-01T00:00:00Z',
  last_failure_at timestamptz
);
CREATE INDEX sign_in_throttles_last_failure ON sign_in_throttles (last_failure_at);

-- Where each user signed in from lately: those addresses skip the account's gate.
CREATE TABLE sign_in_addresses (
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  address text NOT NULL,
  last_success_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, address)
);

-- A session also ends when unused for its idle timeout; last_seen_at moves at most once a minute.
ALTER TABLE sessions
  ADD COLUMN last_seen_at timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN idle_timeout interval NOT NULL DEFAULT interval '30 minutes';
