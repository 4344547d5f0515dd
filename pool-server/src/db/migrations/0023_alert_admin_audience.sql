-- Alerts about the pool's own machinery (a failing TimescaleDB job) are for admins alone.
ALTER TABLE alerts DROP CONSTRAINT alerts_audience_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_audience_check CHECK (audience IN ('organisation', 'pool', 'admin'));
