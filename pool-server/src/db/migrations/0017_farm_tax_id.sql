-- The operator's tax id, which filings name: Russia's monthly FNS report is keyed by INN.
ALTER TABLE farms ADD COLUMN tax_id text CHECK (tax_id ~ '^[0-9]{10,12}$');
