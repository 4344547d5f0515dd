-- What each reading's state was read from, as the agent gave it (`rpc:status btmineroff=true`,
-- `no state read: hashrate 0`): the evidence a curtailment verdict and an operator weigh.
-- Readings stored before keep it inside `sample` only; this column is null for them.
ALTER TABLE miner_samples ADD COLUMN state_evidence text;

-- The evidence of the state `devices.last_state` holds.
ALTER TABLE devices ADD COLUMN last_state_evidence text;

-- A command may set the fans' mode (auto, or manual at a fixed %).
ALTER TABLE device_commands DROP CONSTRAINT device_commands_action_check;
ALTER TABLE device_commands ADD CONSTRAINT device_commands_action_check
  CHECK (action IN ('sleep', 'resume', 'set-power-target', 'reboot', 'switch-pool', 'set-fan'));
