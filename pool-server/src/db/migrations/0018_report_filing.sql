-- How a report's period was counted (its zone, its calendar, and the month it names
-- when it names one) and the machine-readable JSON format alongside CSV and PDF.
-- Reports issued before keep UTC and the Gregorian calendar, which is how they were cut.
ALTER TABLE reports
  ADD COLUMN timezone text NOT NULL DEFAULT 'UTC',
  ADD COLUMN calendar text NOT NULL DEFAULT 'gregorian' CHECK (calendar IN ('gregorian', 'persian')),
  ADD COLUMN month text CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$');
ALTER TABLE reports DROP CONSTRAINT reports_format_check;
ALTER TABLE reports ADD CONSTRAINT reports_format_check CHECK (format IN ('csv', 'pdf', 'json'));

-- A meter's serial as printed on it and registered with the utility: filings name
-- each meter by it. The agent reports it when the meter or its configuration gives it.
ALTER TABLE meters ADD COLUMN serial text CHECK (length(serial) BETWEEN 1 AND 64);
