-- Prices and exchange rates, each with its moment and where it came from. Iran has
-- several USD rates (official, NIMA, free market): the rate type is part of the pair.
CREATE TABLE prices (
  id bigserial PRIMARY KEY,
  base text NOT NULL CHECK (base ~ '^[A-Z]{3,5}$'),
  quote text NOT NULL CHECK (quote ~ '^[A-Z]{3,5}$'),
  rate_type text NOT NULL DEFAULT 'market' CHECK (rate_type IN ('market', 'official', 'nima', 'free_market')),
  value numeric NOT NULL CHECK (value > 0),
  at timestamptz NOT NULL,
  origin text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (base <> quote)
);
CREATE INDEX prices_pair_at ON prices (base, quote, rate_type, at DESC);
