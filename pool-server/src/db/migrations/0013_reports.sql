-- The pool user a device mines as (its active pool's user, as the agent reads it):
-- the device's link to a pool worker, whose name is that same full username.
ALTER TABLE devices ADD COLUMN pool_user text;
CREATE INDEX devices_pool_user ON devices (pool_user) WHERE pool_user IS NOT NULL;

-- Regulator reports as issued: the file's bytes, their SHA-256 and the pool's Ed25519
-- signature over that digest. An issued report never changes and is never removed.
CREATE TABLE reports (
  id uuid PRIMARY KEY,
  farm_id bigint REFERENCES farms (id),
  country text CHECK (country ~ '^[A-Z]{2}$'),
  regions text[] NOT NULL DEFAULT '{}',
  period_from timestamptz NOT NULL,
  period_to timestamptz NOT NULL CHECK (period_to > period_from),
  language text NOT NULL CHECK (language IN ('en', 'fa', 'ru')),
  format text NOT NULL CHECK (format IN ('csv', 'pdf')),
  content bytea NOT NULL,
  sha256 bytea NOT NULL UNIQUE CHECK (length(sha256) = 32),
  signature bytea NOT NULL CHECK (length(signature) = 64),
  public_key bytea NOT NULL CHECK (length(public_key) = 32),
  issued_by bigint NOT NULL REFERENCES users (id),
  issued_at timestamptz NOT NULL,
  -- A farm's report names its farm; a jurisdiction's names its country.
  CHECK ((farm_id IS NULL) <> (country IS NULL))
);
CREATE INDEX reports_farm ON reports (farm_id, issued_at DESC);
CREATE INDEX reports_country ON reports (country, issued_at DESC);

CREATE FUNCTION reports_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'an issued report is never changed or removed (% refused)', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER reports_immutable BEFORE UPDATE OR DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION reports_are_immutable();
CREATE TRIGGER reports_not_truncated BEFORE TRUNCATE ON reports
  FOR EACH STATEMENT EXECUTE FUNCTION reports_are_immutable();
