-- A source read again (the same day's official rate, the same mempool snapshot) is
-- stored once. Manual entries are left out: an admin may enter a pair twice on purpose.
CREATE UNIQUE INDEX prices_source_quote ON prices (base, quote, rate_type, at, origin)
  WHERE origin NOT LIKE 'manual:%';
