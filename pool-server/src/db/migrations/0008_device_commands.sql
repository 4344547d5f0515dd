-- Commands for a farm's devices, queued by people and carried out by the farm's agent.
-- Each row is also the audit record: who ordered what, when it was sent and how it ended.
CREATE TABLE device_commands (
  id bigserial PRIMARY KEY,
  farm_id bigint NOT NULL REFERENCES farms (id),
  device_id bigint NOT NULL REFERENCES devices (id),
  action text NOT NULL CHECK (action IN ('sleep', 'resume', 'set-power-target', 'reboot', 'switch-pool')),
  params jsonb NOT NULL DEFAULT '{}',
  ordered_by bigint NOT NULL REFERENCES users (id),
  ordered_at timestamptz NOT NULL DEFAULT now(),
  -- A farm-wide curtailment staggers its commands: each waits for its moment.
  not_before timestamptz NOT NULL DEFAULT now(),
  curtailment uuid,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'done', 'failed', 'unsupported')),
  sent_at timestamptz,
  finished_at timestamptz,
  outcome text
);
CREATE INDEX device_commands_due ON device_commands (farm_id, not_before) WHERE status = 'queued';
CREATE INDEX device_commands_farm ON device_commands (farm_id, id DESC);
