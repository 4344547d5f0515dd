-- Each reading's state evidence as a code and its figures, as the agent gives it
-- ({"code": "starting", "uptimeSeconds": 95, "hashrate": "zero", "quote": "rpc:status mineroff=false"}),
-- so the dashboard says it in the reader's language; the firmware's own words stay verbatim in
-- "quote". Null for readings stored before, and from agents that send text only: those keep
-- `state_evidence`.
ALTER TABLE miner_samples ADD COLUMN state_reason jsonb;

-- The code of the evidence `devices.last_state_evidence` holds.
ALTER TABLE devices ADD COLUMN last_state_reason jsonb;
