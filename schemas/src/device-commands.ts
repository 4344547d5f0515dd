import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

/** Commands to a farm's devices: what an operator or a curtailment orders, and how each ended. */

export const DeviceAction = Type.Enum([
  'sleep',
  'resume',
  'set-power-target',
  'reboot',
  'switch-pool',
  'set-fan',
]);
export type DeviceAction = Static<typeof DeviceAction>;

/** What an action needs: a power target in W, the pool to switch to, or the fans' mode (manual at a fixed %). */
export const ActionParams = Type.Object(
  {
    powerTargetW: Type.Optional(Type.Integer({ minimum: 100, maximum: 100_000 })),
    poolUrl: Type.Optional(Type.String({ pattern: '^stratum\\+(tcp|ssl)://', maxLength: 500 })),
    poolUser: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    poolPassword: Type.Optional(Type.String({ maxLength: 200 })),
    /** `auto`: the firmware drives the fans by temperature; `manual`: at `fanPercent`, whatever the heat. */
    fanMode: Type.Optional(Type.Enum(['auto', 'manual'])),
    fanPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type ActionParams = Static<typeof ActionParams>;

/**
 * Whether a device can carry out an action, as its driver declares it for its firmware,
 * model and setup. Not supported says why: `firmware` (its firmware offers no way over
 * any API), `model` (its firmware does, not on this model), `setting` (not as the device
 * is set up), `api` (not through the API the agent reads it by; another of its APIs can),
 * `agent` (the firmware may, the agent does not do it yet). An action a device's list
 * leaves out is unknown.
 */
export const CommandSupport = Type.Object(
  {
    action: DeviceAction,
    supported: Type.Boolean(),
    reason: Type.Optional(Type.Enum(['firmware', 'model', 'setting', 'api', 'agent'])),
    /** The driver's words on it, in English: what the firmware lacks or needs. */
    note: Type.Optional(Type.String({ maxLength: 300 })),
  },
  { additionalProperties: false },
);
export type CommandSupport = Static<typeof CommandSupport>;

/** A device's declared actions, each at most once. */
export const CommandSupports = Type.Array(CommandSupport, { maxItems: 6 });
export type CommandSupports = Static<typeof CommandSupports>;

export const CommandCreate = Type.Object(
  { action: DeviceAction, params: Type.Optional(ActionParams) },
  { additionalProperties: false },
);
export type CommandCreate = Static<typeof CommandCreate>;

/** Sleep or wake a whole farm (or the devices named), spread over some minutes so the grid sees a ramp, not a step. */
export const CurtailmentCreate = Type.Object(
  {
    action: Type.Enum(['sleep', 'resume']),
    staggerMinutes: Type.Integer({ minimum: 0, maximum: 240, default: 10 }),
    deviceIds: Type.Optional(
      Type.Array(Type.String({ pattern: '^[1-9][0-9]{0,17}$' }), { maxItems: 100_000 }),
    ),
  },
  { additionalProperties: false },
);
export type CurtailmentCreate = Static<typeof CurtailmentCreate>;

export const CommandStatus = Type.Enum(['queued', 'sent', 'done', 'failed', 'unsupported']);
export type CommandStatus = Static<typeof CommandStatus>;

export const DeviceCommand = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  device: Type.String(),
  action: DeviceAction,
  params: ActionParams,
  orderedBy: Type.String({ description: "The e-mail of who ordered it: the audit's who." }),
  orderedAt: Timestamp,
  notBefore: Timestamp,
  curtailment: Nullable(Type.String()),
  status: CommandStatus,
  sentAt: Nullable(Timestamp),
  finishedAt: Nullable(Timestamp),
  outcome: Nullable(Type.String()),
});
export type DeviceCommand = Static<typeof DeviceCommand>;

/** A device left out of a sleep or a wake because its agent declared it cannot: it needs a hand, or its breaker. */
export const CurtailmentUnable = Type.Object({
  deviceId: Type.String(),
  device: Type.String(),
  /** The driver's words, or its reason in brackets when it gave none. */
  why: Type.String(),
});
export type CurtailmentUnable = Static<typeof CurtailmentUnable>;

export const Curtailment = Type.Object({
  curtailment: Type.String(),
  commands: Type.Integer({ minimum: 0 }),
  firstAt: Timestamp,
  lastAt: Timestamp,
  unable: Type.Array(CurtailmentUnable),
});
export type Curtailment = Static<typeof Curtailment>;

/** A command as the agent receives it: the device by the agent's own name for it. */
export const AgentCommand = Type.Object({
  id: Type.String(),
  device: Type.String(),
  action: DeviceAction,
  params: ActionParams,
});
export type AgentCommand = Static<typeof AgentCommand>;

export const CommandOutcome = Type.Object(
  {
    status: Type.Enum(['done', 'failed', 'unsupported']),
    message: Type.String({ maxLength: 2_000 }),
  },
  { additionalProperties: false },
);
export type CommandOutcome = Static<typeof CommandOutcome>;

export const FarmDeviceParams = Type.Object({
  id: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
  deviceId: Type.String({ pattern: '^[1-9][0-9]{0,17}$' }),
});
export type FarmDeviceParams = Static<typeof FarmDeviceParams>;
