-- Alert thresholds of one farm, set by its operators: each column overrides the pool-wide
-- default (alerts.* and farms.hashrateGapAlertPercent); null keeps the default. The bounds
-- are the configuration's, so a farm can be told nothing the pool could not.
CREATE TABLE farm_alert_thresholds (
  farm_id bigint PRIMARY KEY REFERENCES farms (id) ON DELETE CASCADE,
  silent_minutes integer CHECK (silent_minutes BETWEEN 1 AND 1440),
  max_chip_temp_c double precision CHECK (max_chip_temp_c BETWEEN 30 AND 150),
  min_fan_rpm integer CHECK (min_fan_rpm BETWEEN 0 AND 30000),
  gap_percent double precision CHECK (gap_percent > 0 AND gap_percent <= 100),
  window_lead_minutes integer CHECK (window_lead_minutes BETWEEN 1 AND 1440),
  updated_by bigint REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A subscription's webhook secret or Telegram bot token, sealed with AES-256-GCM under the
-- pool's alert secret key (a file beside the other keys, never in the database). The
-- database cannot seal: the pool seals the plain secrets left in `secret` when it starts,
-- then empties that column, and writes only sealed ones from then on.
ALTER TABLE alert_subscriptions
  ADD COLUMN sealed_secret text CHECK (sealed_secret LIKE 'hwseal1.%'),
  DROP CONSTRAINT alert_subscriptions_check1,
  ADD CONSTRAINT alert_subscriptions_webhook_secret
    CHECK (channel <> 'webhook' OR secret IS NOT NULL OR sealed_secret IS NOT NULL),
  ADD CONSTRAINT alert_subscriptions_one_secret CHECK (secret IS NULL OR sealed_secret IS NULL);
