-- Where a farm is and under what licence: what regulators are scoped by and report on.
ALTER TABLE farms
  ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$'),
  ADD COLUMN region text CHECK (region ~ '^[A-Z]{2}-[A-Z0-9]{1,3}$'),
  ADD COLUMN timezone text NOT NULL DEFAULT 'UTC',
  ADD COLUMN licence_number text,
  ADD COLUMN licence_authority text,
  ADD COLUMN licensed_capacity_kw double precision CHECK (licensed_capacity_kw > 0),
  ADD COLUMN licence_valid_from date,
  ADD COLUMN licence_valid_to date,
  -- Russia: the entry of the mining operator in the Ministry of Energy's register.
  ADD COLUMN register_entry text,
  ADD CONSTRAINT farms_region_in_country CHECK (region IS NULL OR (country IS NOT NULL AND region LIKE country || '-%')),
  ADD CONSTRAINT farms_licence_dates CHECK (licence_valid_to IS NULL OR licence_valid_from IS NULL OR licence_valid_to > licence_valid_from);
CREATE INDEX farms_jurisdiction ON farms (country, region);
