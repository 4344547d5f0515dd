-- A grid operator's order to a farm: cut so many kW between two moments. The farm's
-- compliance is measured from its meters afterwards, never stored as assumed.
CREATE TABLE curtailment_orders (
  id bigserial PRIMARY KEY,
  farm_id bigint NOT NULL REFERENCES farms (id),
  notice_at timestamptz NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  reduction_kw double precision NOT NULL CHECK (reduction_kw > 0),
  notice_ref text,
  ordered_by bigint NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- The staggered sleep it set off on the farm's devices, when it did.
  curtailment uuid,
  CHECK (ends_at > starts_at),
  CHECK (starts_at >= notice_at)
);
CREATE INDEX curtailment_orders_farm ON curtailment_orders (farm_id, starts_at DESC);
