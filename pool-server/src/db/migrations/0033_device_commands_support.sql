-- The actions a device's agent last declared it can and cannot carry out, each with why
-- not ([{"action": "set-fan", "supported": false, "reason": "firmware", "note": "…"}]), so
-- the dashboard offers what the firmware allows and the API refuses what it does not.
-- Null until an agent that declares them reads the device (older agents, devices never read).
ALTER TABLE devices ADD COLUMN commands jsonb;
