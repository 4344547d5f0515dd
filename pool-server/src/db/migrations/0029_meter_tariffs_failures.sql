-- Each reading's tariff registers (running totals of imported energy, Wh, by the tariff's
-- name as the agent's configuration gives it: {"peak": 12345670, "off-peak": 0}). Null for
-- readings stored before, and for meters that keep no tariffs.
ALTER TABLE meter_samples ADD COLUMN tariff_energy_wh jsonb;

-- A meter the agent could not read, when and why (refused, silent, wrong password, garbled
-- reply…): a failed read is a fact of the farm's energy record, not a gap. Kept as long as
-- the readings are.
CREATE TABLE meter_read_failures (
  time timestamptz NOT NULL,
  farm_id bigint NOT NULL,
  meter_id bigint NOT NULL,
  reason text NOT NULL
);
CREATE INDEX meter_read_failures_meter_time ON meter_read_failures (meter_id, time DESC);
