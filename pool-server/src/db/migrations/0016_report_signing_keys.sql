-- The pool's report signing keys: the only keys a report's signature is checked
-- against, whatever key the report row carries. One key is current (valid_until NULL);
-- a rotation closes it and registers the next. The fingerprint is the SHA-256 of the
-- raw 32-byte Ed25519 public key, lowercase hex, as printed on every report.
CREATE TABLE report_signing_keys (
  fingerprint text PRIMARY KEY CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
  public_key bytea NOT NULL UNIQUE CHECK (length(public_key) = 32),
  valid_from timestamptz NOT NULL,
  valid_until timestamptz CHECK (valid_until >= valid_from),
  registered_at timestamptz NOT NULL DEFAULT now(),
  CHECK (fingerprint = encode(sha256(public_key), 'hex'))
);
-- At most one current key.
CREATE UNIQUE INDEX report_signing_keys_current ON report_signing_keys ((true)) WHERE valid_until IS NULL;

-- Append-only: the one change allowed is closing a current key's validity, once.
CREATE FUNCTION report_signing_keys_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.valid_until IS NULL AND NEW.valid_until IS NOT NULL
       AND NEW.fingerprint = OLD.fingerprint AND NEW.public_key = OLD.public_key
       AND NEW.valid_from = OLD.valid_from AND NEW.registered_at = OLD.registered_at THEN
      RETURN NEW;
    END IF;
  END IF;
  RAISE EXCEPTION 'a report signing key is never changed or removed, only retired once (% refused)', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER report_signing_keys_append_only BEFORE UPDATE OR DELETE ON report_signing_keys
  FOR EACH ROW EXECUTE FUNCTION report_signing_keys_append_only();
CREATE TRIGGER report_signing_keys_not_truncated BEFORE TRUNCATE ON report_signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION report_signing_keys_append_only();
