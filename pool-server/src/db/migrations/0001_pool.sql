-- The pool's memory: who mines, every accepted share, found blocks, and the books.

-- A payout address or an account name: the username part before the worker name.
CREATE TABLE accounts (
  id bigserial PRIMARY KEY,
  name text NOT NULL UNIQUE,
  payout_address text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workers (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

-- One row per stored batch of shares: a batch replayed after a crash is found here and skipped.
CREATE TABLE share_batches (
  id uuid PRIMARY KEY,
  node_id smallint NOT NULL,
  share_count integer NOT NULL,
  stored_at timestamptz NOT NULL DEFAULT now()
);

-- Accepted shares. No foreign keys: COPY speed; accounts and workers are created first.
CREATE TABLE shares (
  time timestamptz NOT NULL,
  account_id bigint NOT NULL,
  worker_id bigint NOT NULL,
  -- The difficulty the share counts for, and the one its hash achieved.
  difficulty double precision NOT NULL,
  achieved double precision NOT NULL,
  height integer NOT NULL,
  -- 0 share, 1 share that was also a block candidate.
  result smallint NOT NULL,
  -- Mined on a SOLO coinbase: it counts for hashrate, never for PPLNS or PPS.
  solo boolean NOT NULL DEFAULT false,
  batch_id uuid NOT NULL
);
CREATE INDEX shares_time ON shares (time);
CREATE INDEX shares_account_time ON shares (account_id, time);

-- Per worker and minute, maintained by the server with each batch (and with rejects).
CREATE TABLE share_rollups_minute (
  bucket timestamptz NOT NULL,
  worker_id bigint NOT NULL,
  account_id bigint NOT NULL,
  accepted_difficulty double precision NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  stale integer NOT NULL DEFAULT 0,
  PRIMARY KEY (worker_id, bucket)
);
CREATE INDEX share_rollups_minute_account ON share_rollups_minute (account_id, bucket);
CREATE INDEX share_rollups_minute_bucket ON share_rollups_minute (bucket);

-- Per account and hour: what 30-day charts read.
CREATE TABLE share_rollups_hour (
  bucket timestamptz NOT NULL,
  account_id bigint NOT NULL,
  accepted_difficulty double precision NOT NULL DEFAULT 0,
  accepted integer NOT NULL DEFAULT 0,
  rejected integer NOT NULL DEFAULT 0,
  stale integer NOT NULL DEFAULT 0,
  PRIMARY KEY (account_id, bucket)
);
CREATE INDEX share_rollups_hour_bucket ON share_rollups_hour (bucket);

CREATE TABLE blocks (
  hash text PRIMARY KEY,
  height integer NOT NULL,
  -- Coinbase value in satoshis (subsidy plus fees), and the fees alone.
  reward bigint NOT NULL,
  fees bigint NOT NULL,
  finder_account_id bigint REFERENCES accounts (id),
  finder_worker text NOT NULL,
  network_difficulty double precision NOT NULL,
  -- Share difficulty since the previous block over network difficulty: 1.0 is average luck.
  effort double precision,
  scheme text NOT NULL CHECK (scheme IN ('pplns', 'pps', 'fpps', 'solo')),
  status text NOT NULL CHECK (status IN ('pending', 'confirmed', 'orphaned', 'rejected')),
  confirmations integer NOT NULL DEFAULT 0,
  detail text,
  found_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX blocks_found_at ON blocks (found_at DESC);
CREATE INDEX blocks_status ON blocks (status) WHERE status = 'pending';

-- Double-entry books: every transaction's entries sum to zero. Books are 'miner:<account id>'
-- (payable), 'immature:<account id>' (credited, block not yet mature), and the pool's own:
-- 'pool:rewards', 'pool:immature', 'pool:fee', 'pool:pps', 'pool:wallet'.
CREATE TABLE ledger_entries (
  id bigserial PRIMARY KEY,
  transaction_id uuid NOT NULL,
  book text NOT NULL,
  amount bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('block-credit', 'block-mature', 'block-orphaned', 'pps-credit', 'payout', 'fee')),
  block_hash text REFERENCES blocks (hash),
  payout_id uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_entries_book ON ledger_entries (book, created_at);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);

-- The sums of the miner books, kept with each transaction; never negative.
CREATE TABLE balances (
  book text PRIMARY KEY,
  amount bigint NOT NULL CHECK (amount >= 0 OR book LIKE 'pool:%'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- A payout is recorded as an intent, with its id, before the wallet is asked to send it.
CREATE TABLE payouts (
  id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('intent', 'sent', 'failed')),
  txid text,
  total bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  detail text
);
CREATE TABLE payout_items (
  payout_id uuid NOT NULL REFERENCES payouts (id),
  account_id bigint NOT NULL REFERENCES accounts (id),
  address text NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  PRIMARY KEY (payout_id, account_id)
);

-- Pool-wide daily totals; TimescaleDB replaces this view with a continuous aggregate.
CREATE VIEW pool_daily AS
  SELECT date_trunc('day', bucket) AS day,
         sum(accepted_difficulty) AS accepted_difficulty,
         sum(accepted) AS accepted,
         sum(rejected) AS rejected,
         sum(stale) AS stale
    FROM share_rollups_hour
   GROUP BY 1;
