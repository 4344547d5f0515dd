-- Alerts that reach people: who subscribed to what and where it goes, each alert once
-- while it lasts, and every attempt to deliver it.

-- A subscription belongs to a user (their own) or to an organisation (its operators
-- manage it). The secret signs webhook bodies (HMAC-SHA256) or is a Telegram bot token
-- of the subscriber's own; it is shown once, when made, and never returned again.
CREATE TABLE alert_subscriptions (
  id bigserial PRIMARY KEY,
  user_id bigint REFERENCES users (id) ON DELETE CASCADE,
  organisation_id bigint REFERENCES organisations (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('webhook', 'email', 'telegram')),
  -- The webhook URL, the e-mail address or the Telegram chat id.
  target text NOT NULL CHECK (length(target) BETWEEN 1 AND 2000),
  secret text,
  rules text[] NOT NULL CHECK (cardinality(rules) > 0),
  send_resolved boolean NOT NULL DEFAULT false,
  label text NOT NULL DEFAULT '',
  created_by bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((user_id IS NULL) <> (organisation_id IS NULL)),
  CHECK (channel <> 'webhook' OR secret IS NOT NULL)
);
CREATE INDEX alert_subscriptions_user ON alert_subscriptions (user_id);
CREATE INDEX alert_subscriptions_organisation ON alert_subscriptions (organisation_id);

-- One row an alert. A lasting one (a silent device) stays open until its condition clears;
-- an event (a block found) is opened and closed at once. The unique indexes are the
-- deduplication: one open alert per rule and subject, one event per rule and subject ever,
-- whichever process evaluates.
CREATE TABLE alerts (
  id bigserial PRIMARY KEY,
  rule text NOT NULL,
  subject text NOT NULL,
  once boolean NOT NULL,
  -- Who may hear of it: a farm's organisation, or everyone subscribed ('pool').
  audience text NOT NULL CHECK (audience IN ('organisation', 'pool')),
  organisation_id bigint REFERENCES organisations (id) ON DELETE CASCADE,
  farm_id bigint REFERENCES farms (id) ON DELETE CASCADE,
  summary text NOT NULL,
  facts jsonb NOT NULL DEFAULT '{}',
  opened_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  CHECK ((audience = 'organisation') = (organisation_id IS NOT NULL))
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule, subject) WHERE resolved_at IS NULL;
CREATE UNIQUE INDEX alerts_once ON alerts (rule, subject) WHERE once;
CREATE INDEX alerts_organisation ON alerts (organisation_id, id DESC);

-- Up to where each source of events has been read ('blocks', 'payouts', 'orders').
CREATE TABLE alert_cursors (
  source text PRIMARY KEY,
  seen_until timestamptz NOT NULL
);

-- One row per alert, subscription and notice ('opened' or 'resolved'): its attempts and outcome.
CREATE TABLE alert_deliveries (
  id bigserial PRIMARY KEY,
  alert_id bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  subscription_id bigint NOT NULL REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
  notice text NOT NULL CHECK (notice IN ('opened', 'resolved')),
  channel text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (alert_id, subscription_id, notice)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX alert_deliveries_subscription ON alert_deliveries (subscription_id, created_at DESC);
CREATE INDEX alert_deliveries_channel_sent ON alert_deliveries (channel, sent_at) WHERE status = 'sent';

-- Alerts read the orders entered or ended since their last look.
CREATE INDEX curtailment_orders_created ON curtailment_orders (created_at);
CREATE INDEX curtailment_orders_ends ON curtailment_orders (ends_at);
