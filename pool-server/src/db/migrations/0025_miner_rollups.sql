-- Each device's readings per 5 minutes, kept by ingest: history charts read a device's day
-- as 288 rows and a farm's month as 8,640 rows a device, not every 30-second reading.
-- Means are kept as a sum and a count, so any longer bucket is exact; a figure no reading
-- had stays null (a count of 0), never 0.
CREATE TABLE miner_rollups_5m (
  bucket timestamptz NOT NULL,
  device_id bigint NOT NULL,
  farm_id bigint NOT NULL,
  readings integer NOT NULL,
  hashrate_sum double precision NOT NULL DEFAULT 0,
  hashrate_count integer NOT NULL DEFAULT 0,
  power_sum double precision NOT NULL DEFAULT 0,
  power_count integer NOT NULL DEFAULT 0,
  chip_temp_max real,
  board_temp_max real,
  fan_rpm_min double precision,
  fan_rpm_max double precision,
  PRIMARY KEY (device_id, bucket)
);
CREATE INDEX miner_rollups_5m_farm ON miner_rollups_5m (farm_id, bucket);

INSERT INTO miner_rollups_5m (bucket, device_id, farm_id, readings, hashrate_sum, hashrate_count, power_sum,
                              power_count, chip_temp_max, board_temp_max, fan_rpm_min, fan_rpm_max)
  SELECT date_bin('5 minutes', s.time, 'epoch'), s.device_id, min(s.farm_id), count(*), coalesce(sum(s.hashrate), 0),
         count(s.hashrate), coalesce(sum(s.power_w), 0), count(s.power_w), max(s.chip_temp_c), max(s.board_temp_c),
         min(f.slowest), max(f.fastest)
    FROM miner_samples s
    LEFT JOIN LATERAL (
      SELECT min((fan->>'rpm')::double precision) AS slowest, max((fan->>'rpm')::double precision) AS fastest
        FROM jsonb_array_elements(s.sample->'fans') fan
       WHERE jsonb_typeof(fan->'rpm') = 'number'
    ) f ON true
   GROUP BY 1, 2;

-- Each hash board's per 5 minutes: its hottest chip and board reading and its mean hashrate.
CREATE TABLE miner_board_rollups_5m (
  bucket timestamptz NOT NULL,
  device_id bigint NOT NULL,
  slot integer NOT NULL,
  chip_temp_max real,
  board_temp_max real,
  hashrate_sum double precision NOT NULL DEFAULT 0,
  hashrate_count integer NOT NULL DEFAULT 0,
  PRIMARY KEY (device_id, bucket, slot)
);

INSERT INTO miner_board_rollups_5m (bucket, device_id, slot, chip_temp_max, board_temp_max, hashrate_sum, hashrate_count)
  SELECT date_bin('5 minutes', s.time, 'epoch'), s.device_id, (b->>'slot')::integer,
         max((b->>'chipTempC')::real), max((b->>'boardTempC')::real),
         coalesce(sum((b->>'hashrate')::double precision), 0), count(b->'hashrate')
    FROM miner_samples s, jsonb_array_elements(s.sample->'boards') b
   WHERE jsonb_typeof(b->'slot') = 'number' AND (b->>'slot')::numeric BETWEEN 0 AND 63
   GROUP BY 1, 2, 3;
