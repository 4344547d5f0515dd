-- Who changed what through the API, and when: one entry per state-changing request, written
-- in the same transaction as the change (a failed sign-in in a transaction of its own).
-- No foreign keys: an entry outlives whatever it names, and names it as it was.

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  -- A stable name: 'farm.update', 'auth.sign-in-failed', 'agent.telemetry'.
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  method text NOT NULL CHECK (method IN ('POST', 'PATCH', 'PUT', 'DELETE')),
  route text NOT NULL,
  request_id text,
  -- Who: a signed-in user (as it was then), a farm agent's key, or nobody known (a failed sign-in).
  actor_kind text NOT NULL CHECK (actor_kind IN ('user', 'agent', 'anonymous')),
  actor_user_id bigint,
  actor_email text,
  actor_role text,
  actor_organisation_id bigint,
  actor_key_id bigint,
  -- Whose the change is, for who may read the entry: an organisation, a farm, a jurisdiction.
  organisation_id bigint,
  farm_id bigint,
  country text CHECK (country ~ '^[A-Z]{2}$'),
  regions text[] NOT NULL DEFAULT '{}',
  -- The ids the change touched, by kind: {"farm": "3", "tariff": "12"}.
  ids jsonb NOT NULL DEFAULT '{}',
  before jsonb,
  after jsonb,
  CHECK ((actor_kind = 'user') = (actor_user_id IS NOT NULL)),
  CHECK ((actor_kind = 'agent') = (actor_key_id IS NOT NULL))
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, id DESC);
CREATE INDEX audit_log_farm ON audit_log (farm_id, id DESC);
CREATE INDEX audit_log_country ON audit_log (country, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, id DESC);

-- Append-only, as issued reports are: the database itself refuses to rewrite history.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'an audit log entry is never changed or removed (% refused)', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_not_truncated BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
