-- The network as the pool's templates saw it, one row per height: its difficulty and
-- the fees the last template for that height carried (the next block's fees, as
-- bitcoind saw the mempool). Hashprice averages the fees over a window of heights.
CREATE TABLE network_heights (
  height integer PRIMARY KEY CHECK (height >= 0),
  difficulty double precision NOT NULL CHECK (difficulty > 0),
  fees_sats bigint NOT NULL CHECK (fees_sats >= 0),
  first_seen timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX network_heights_first_seen ON network_heights (first_seen);

-- What the operator knows of a device that it does not say itself: where it stands and
-- what its maker rates it at.
ALTER TABLE devices
  ADD COLUMN rack text,
  ADD COLUMN shelf text,
  ADD COLUMN slot text,
  ADD COLUMN nominal_hashrate double precision CHECK (nominal_hashrate > 0),
  ADD COLUMN nominal_power_w double precision CHECK (nominal_power_w > 0);

-- Iran's SANA rate (the exchange-house market the CBI runs) joins the rate types.
ALTER TABLE prices DROP CONSTRAINT prices_rate_type_check;
ALTER TABLE prices ADD CONSTRAINT prices_rate_type_check
  CHECK (rate_type IN ('market', 'official', 'sana', 'nima', 'free_market'));
