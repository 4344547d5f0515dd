-- What a farm pays for power, and when it may not draw it.

-- Time-of-use bands in the farm's local time; the first band whose window holds a
-- moment prices it, the default price the rest. A new tariff starts where the last ends.
CREATE TABLE tariffs (
  id bigserial PRIMARY KEY,
  farm_id bigint NOT NULL REFERENCES farms (id),
  currency text NOT NULL CHECK (currency IN ('IRR', 'RUB', 'USD')),
  effective_from date NOT NULL,
  default_price_per_kwh double precision NOT NULL CHECK (default_price_per_kwh >= 0),
  bands jsonb NOT NULL DEFAULT '[]',
  created_by bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (farm_id, effective_from)
);

-- Restricted windows: daily spans of local time over a validity (a season, a year),
-- for one farm or for every farm of a country or region (Tavanir's critical-peak hours,
-- a regional winter ban).
CREATE TABLE restricted_windows (
  id bigserial PRIMARY KEY,
  farm_id bigint REFERENCES farms (id),
  country text CHECK (country ~ '^[A-Z]{2}$'),
  region text CHECK (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  class text NOT NULL CHECK (class IN ('critical_peak', 'restricted', 'seasonal_ban')),
  daily_from text NOT NULL CHECK (daily_from ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  daily_to text NOT NULL CHECK (daily_to ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'),
  valid_from date NOT NULL,
  valid_to date,
  notice_ref text,
  created_by bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((farm_id IS NULL) <> (country IS NULL)),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX restricted_windows_farm ON restricted_windows (farm_id);
CREATE INDEX restricted_windows_jurisdiction ON restricted_windows (country, region);
