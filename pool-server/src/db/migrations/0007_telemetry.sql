-- What farm agents report: their devices, every reading, and the batches they came in.

-- A miner as its farm's agent names it (address and API port), with what it last said it is.
CREATE TABLE devices (
  id bigserial PRIMARY KEY,
  farm_id bigint NOT NULL REFERENCES farms (id),
  device text NOT NULL,
  make text NOT NULL,
  model text,
  firmware text NOT NULL,
  firmware_version text,
  serial text,
  mac text,
  algorithm text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  last_state text NOT NULL,
  UNIQUE (farm_id, device)
);

CREATE TABLE meters (
  id bigserial PRIMARY KEY,
  farm_id bigint NOT NULL REFERENCES farms (id),
  name text NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  UNIQUE (farm_id, name)
);

-- A batch is stored once: a retry after a timeout finds its id here and stores nothing.
CREATE TABLE telemetry_batches (
  farm_id bigint NOT NULL REFERENCES farms (id),
  batch_id uuid NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  agent_version text NOT NULL,
  miners integer NOT NULL,
  meters integer NOT NULL,
  -- The agent's count of readings its full queue dropped, as of this batch.
  dropped bigint NOT NULL,
  PRIMARY KEY (farm_id, batch_id)
);

-- One row a reading; the columns the dashboard and reports aggregate, and the whole sample.
CREATE TABLE miner_samples (
  time timestamptz NOT NULL,
  farm_id bigint NOT NULL,
  device_id bigint NOT NULL,
  state text NOT NULL,
  hashrate double precision,
  expected_hashrate double precision,
  power_w double precision,
  power_source text,
  chip_temp_c real,
  board_temp_c real,
  accepted bigint,
  rejected bigint,
  uptime_s bigint,
  sample jsonb NOT NULL
);
CREATE INDEX miner_samples_device_time ON miner_samples (device_id, time DESC);
CREATE INDEX miner_samples_time_brin ON miner_samples USING brin (time);

CREATE TABLE meter_samples (
  time timestamptz NOT NULL,
  farm_id bigint NOT NULL,
  meter_id bigint NOT NULL,
  energy_wh double precision NOT NULL,
  power_w double precision NOT NULL
);
CREATE INDEX meter_samples_meter_time ON meter_samples (meter_id, time DESC);
CREATE INDEX meter_samples_time_brin ON meter_samples USING brin (time);
