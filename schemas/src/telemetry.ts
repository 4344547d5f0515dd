import Type, { type Static } from 'typebox';
import { AlgorithmHashrate, Hashrate, Nullable, Timestamp } from './common.ts';
import { CommandSupports } from './device-commands.ts';
import { WorkerProtocol } from './miners.ts';

/**
 * What a farm agent reports: one normalized reading per miner and per meter, whatever
 * the device spoke. Units are fixed and named: hashrates in H/s, power in W, energy
 * in Wh, temperatures in °C. Missing is absent, never zero (a stock Antminer does not
 * know its power).
 */

export const Firmware = Type.Enum(
  [
    'stock',
    'braiins',
    'luxos',
    'vnish',
    'hiveon',
    'whatsminer',
    'avalon',
    'auradine',
    'innosilicon',
    'goldshell',
    'epic',
    'elphapex',
    'axeos',
    'trex',
    'lolminer',
    'gminer',
    'nbminer',
    'teamredminer',
    'xmrig',
    'cgminer',
  ],
  { description: 'The firmware or mining software the device runs; cgminer for a generic one.' },
);
export type Firmware = Static<typeof Firmware>;

export const MinerIdentity = Type.Object({
  make: Type.String({ examples: ['Antminer', 'Whatsminer', 'Bitaxe'] }),
  model: Type.Optional(Type.String({ examples: ['S19 Pro', 'M30S+'] })),
  firmware: Firmware,
  firmwareVersion: Type.Optional(Type.String()),
  serial: Type.Optional(Type.String()),
  mac: Type.Optional(Type.String()),
  hostname: Type.Optional(Type.String()),
  /** What it hashes (agent's model table, else the firmware's word, else `unknown`); absent is stored as `unknown`, never SHA-256. */
  algorithm: Type.Optional(
    Type.String({ minLength: 1, maxLength: 40, examples: ['sha256d', 'scrypt', 'unknown'] }),
  ),
  /** The model's nameplate from the agent's table: hashrate in the algorithm's base unit (H/s; Sol/s for Equihash), power in W. */
  nominalHashrate: Type.Optional(Hashrate),
  nominalPowerW: Type.Optional(Type.Number({ minimum: 0, maximum: 1_000_000 })),
});
export type MinerIdentity = Static<typeof MinerIdentity>;

/**
 * What a miner is doing, in its firmware's words where it says (the sample's
 * `stateEvidence` names the call, field and value): `mining`; `sleeping` (put to sleep,
 * paused, powered off or curtailed by an order); `idle` (powered and sound but not
 * hashing: no pool gives it work, or curtailed to idle with its power supply on);
 * `starting` (booting, warming up or tuning, no hashrate yet); `error`; `unreachable`.
 * Only a `mining` device's hashrate is counted.
 */
export const MinerState = Type.Enum(['mining', 'sleeping', 'idle', 'starting', 'error', 'unreachable']);
export type MinerState = Static<typeof MinerState>;

const Celsius = Type.Number({ minimum: -60, maximum: 250 });
const Count = Type.Integer({ minimum: 0 });

/**
 * Why a reading's state is what it is, as a code and its figures, so that the dashboard
 * says it in the reader's language (`stateEvidence` is the same in English): `reported`,
 * the firmware said so in `quote`; or, where it did not, what the agent inferred it from:
 * `hashing` (a hashrate above 0), `starting` (up `uptimeSeconds`, under 15 minutes, with
 * no hashrate yet), `pools-dead` (no hashrate and none of its `pools` pools alive),
 * `no-hashrate`. An inference keeps in `quote` what the firmware said that did not settle it.
 */
export const StateReason = Type.Object(
  {
    code: Type.Enum(['reported', 'hashing', 'starting', 'pools-dead', 'no-hashrate']),
    /** The device's own words, verbatim: the call, the field and its value. */
    quote: Type.Optional(Type.String({ maxLength: 200 })),
    /** Whether the device gave a hashrate of 0 (`zero`) or none at all (`none`). */
    hashrate: Type.Optional(Type.Enum(['zero', 'none'])),
    uptimeSeconds: Type.Optional(Count),
    pools: Type.Optional(Count),
  },
  { additionalProperties: false },
);
export type StateReason = Static<typeof StateReason>;

export const HashBoard = Type.Object({
  /** 0-based, whatever offset the firmware numbers its chains from. */
  slot: Count,
  hashrate: Type.Optional(Hashrate),
  expectedHashrate: Type.Optional(Hashrate),
  chips: Type.Optional(Count),
  expectedChips: Type.Optional(Count),
  boardTempC: Type.Optional(Celsius),
  /** The hottest chip the board reports. */
  chipTempC: Type.Optional(Celsius),
  frequencyMhz: Type.Optional(Type.Number({ minimum: 0 })),
  serial: Type.Optional(Type.String()),
});
export type HashBoard = Static<typeof HashBoard>;

export const Fan = Type.Object({
  /** 0-based, the firmware's offset removed. */
  id: Count,
  rpm: Type.Optional(Type.Number({ minimum: 0 })),
  percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
});
export type Fan = Static<typeof Fan>;

export const MinerPool = Type.Object({
  index: Count,
  url: Type.String(),
  user: Type.String(),
  active: Type.Boolean(),
  alive: Type.Boolean(),
  accepted: Type.Optional(Count),
  rejected: Type.Optional(Count),
  stale: Type.Optional(Count),
});
export type MinerPool = Static<typeof MinerPool>;

export const Gpu = Type.Object({
  index: Count,
  name: Type.Optional(Type.String()),
  busId: Type.Optional(Type.String()),
  hashrate: Type.Optional(Hashrate),
  powerW: Type.Optional(Type.Number({ minimum: 0 })),
  tempC: Type.Optional(Celsius),
  memoryTempC: Type.Optional(Celsius),
  fanPercent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
  accepted: Type.Optional(Count),
  rejected: Type.Optional(Count),
});
export type Gpu = Static<typeof Gpu>;

export const DeviceMessage = Type.Object({
  code: Type.Optional(Type.String()),
  message: Type.String(),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]),
});
export type DeviceMessage = Static<typeof DeviceMessage>;

export const PowerSource = Type.Enum(['miner', 'meter', 'nameplate']);
export type PowerSource = Static<typeof PowerSource>;

export const MinerSample = Type.Object({
  /** The agent's name for the device: its address and API port. */
  device: Type.String({ minLength: 1, maxLength: 200, examples: ['10.0.4.17:4028'] }),
  at: Timestamp,
  identity: MinerIdentity,
  state: MinerState,
  /**
   * What the state was read from, as the device gave it: the call, the field and its
   * value (`rpc:status btmineroff=true`), or why it was inferred (no hashrate).
   */
  stateEvidence: Type.Optional(Type.String({ maxLength: 200 })),
  /** The same evidence as a code and its figures; absent from agents older than the field. */
  stateReason: Type.Optional(StateReason),
  hashrate: Type.Optional(Hashrate),
  /** Nominal hashrate: what the firmware says the machine should do. */
  expectedHashrate: Type.Optional(Hashrate),
  /** The figure as the device gave it, before units were normalized. */
  rawHashrate: Type.Optional(
    Type.Object({ value: Type.Number(), unit: Type.String(), field: Type.String() }),
  ),
  powerW: Type.Optional(Type.Number({ minimum: 0 })),
  powerSource: Type.Optional(PowerSource),
  powerLimitW: Type.Optional(Type.Number({ minimum: 0 })),
  boards: Type.Array(HashBoard),
  fans: Type.Array(Fan),
  pools: Type.Array(MinerPool),
  shares: Type.Optional(
    Type.Object({
      accepted: Count,
      rejected: Count,
      stale: Type.Optional(Count),
      hardwareErrors: Type.Optional(Count),
    }),
  ),
  gpus: Type.Optional(Type.Array(Gpu)),
  messages: Type.Array(DeviceMessage),
  uptimeSeconds: Type.Optional(Count),
  /** The actions its driver declares it can and cannot carry out; absent from agents older than the field. */
  commands: Type.Optional(CommandSupports),
  collection: Type.Object({
    latencyMs: Type.Number({ minimum: 0 }),
    /** The API calls the sample was made from, e.g. `rpc:stats`, `http:/api/system/info`. */
    sources: Type.Array(Type.String()),
    /** Repairs made to the device's broken JSON, and fields that could not be read. */
    warnings: Type.Array(Type.String()),
  }),
});
export type MinerSample = Static<typeof MinerSample>;

export const MeterSample = Type.Object({
  meter: Type.String({ minLength: 1, maxLength: 200 }),
  /** The serial printed on the meter and registered with the utility, which filings name it by. */
  serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  at: Timestamp,
  /** The meter's running total of imported energy. */
  energyWh: Type.Number({ minimum: 0 }),
  powerW: Type.Number(),
  /** Each tariff register's running total of imported energy, Wh, by the tariff's name (`peak`, `T1`). */
  tariffEnergyWh: Type.Optional(
    Type.Record(Type.String({ minLength: 1, maxLength: 40 }), Type.Number({ minimum: 0 }), {
      maxProperties: 9,
    }),
  ),
});
export type MeterSample = Static<typeof MeterSample>;

/** A meter the agent could not read at `at`, and why: a failed read, not a gap. */
export const MeterReadFailure = Type.Object({
  meter: Type.String({ minLength: 1, maxLength: 200 }),
  serial: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  at: Timestamp,
  /** In the agent's words: refused, silent, wrong password, garbled reply… */
  reason: Type.String({ minLength: 1, maxLength: 500 }),
});
export type MeterReadFailure = Static<typeof MeterReadFailure>;

export const TelemetryBatch = Type.Object(
  {
    /** The same id on a retry: the server stores a batch once. */
    batchId: Type.String({ format: 'uuid' }),
    agentVersion: Type.String({ maxLength: 50 }),
    miners: Type.Array(MinerSample, { maxItems: 20_000 }),
    meters: Type.Array(MeterSample, { maxItems: 1_000 }),
    /** Meter reads that failed, each with its reason; absent from agents older than the field. */
    meterFailures: Type.Optional(Type.Array(MeterReadFailure, { maxItems: 1_000 })),
    /** Readings the agent's full queue had to drop since it started, oldest first: never silent. */
    dropped: Count,
  },
  { additionalProperties: false },
);
export type TelemetryBatch = Static<typeof TelemetryBatch>;

export const TelemetryReceipt = Type.Object({
  batchId: Type.String(),
  /** False when this batch had been stored before (a retry). */
  stored: Type.Boolean(),
  miners: Count,
  meters: Count,
});
export type TelemetryReceipt = Static<typeof TelemetryReceipt>;

/**
 * A power figure as it may be shown: measured (by the miner or a meter), estimated from
 * the nameplate power (`nominalPowerW`), or unknown (null) with the reason. Never 0 for missing.
 */
export const PowerFigure = Type.Object({
  watts: Nullable(Type.Number({ minimum: 0 })),
  basis: Type.Enum(['measured', 'estimated', 'unknown']),
  /** Where the figure comes from; null when it is unknown. */
  source: Nullable(PowerSource),
  /** Why it is estimated or unknown, in plain English; null when measured. */
  reason: Nullable(Type.String()),
});
export type PowerFigure = Static<typeof PowerFigure>;

/** Joules per terahash from a power figure and a hashrate: estimated when the power is. */
export const EfficiencyFigure = Type.Object({
  joulesPerTh: Nullable(Type.Number({ minimum: 0 })),
  basis: Type.Enum(['measured', 'estimated', 'unknown']),
  reason: Nullable(Type.String()),
});
export type EfficiencyFigure = Static<typeof EfficiencyFigure>;

/** A farm's device as the dashboard lists it: what it is and its latest reading. */
export const FarmDevice = Type.Object({
  id: Type.String(),
  device: Type.String(),
  make: Type.String(),
  model: Nullable(Type.String()),
  firmware: Type.String(),
  firmwareVersion: Nullable(Type.String()),
  serial: Nullable(Type.String()),
  mac: Nullable(Type.String()),
  algorithm: Type.String(),
  firstSeen: Timestamp,
  lastSeen: Timestamp,
  state: MinerState,
  /** What its latest reading's state was read from (`rpc:status btmineroff=true`); null when the agent gave none. */
  stateEvidence: Nullable(Type.String()),
  /** The same as a code and its figures, to be said in any language; null for readings stored with text only. */
  stateReason: Nullable(StateReason),
  hashrate: Nullable(Hashrate),
  expectedHashrate: Nullable(Hashrate),
  /** The power the device last reported, W; null when it reports none (see `power`). */
  powerW: Nullable(Type.Number()),
  /** Its power as it may be shown: reported, estimated from its nameplate, or unknown with why. */
  power: PowerFigure,
  efficiency: EfficiencyFigure,
  chipTempC: Nullable(Type.Number()),
  /** Its address, from the agent's name for it. */
  ip: Type.String(),
  location: Type.Object({
    rack: Nullable(Type.String()),
    shelf: Nullable(Type.String()),
    slot: Nullable(Type.String()),
  }),
  nominalHashrate: Nullable(Hashrate),
  nominalPowerW: Nullable(Type.Number()),
  /** The pool user it mines as: the name of its pool worker. */
  poolUser: Nullable(Type.String()),
  /** The protocol its pool worker last connected with; null when no worker has that name or none was recorded. */
  poolProtocol: Nullable(WorkerProtocol),
  /** The actions its agent last declared it can and cannot carry out; null when none has (an older agent, a device never read). */
  commands: Nullable(CommandSupports),
  /** Over the last hour: what the device said it did, and what the pool measured from its worker's shares. */
  hour: Type.Object({
    reportedHashrate: Nullable(Hashrate),
    /** Null when no pool worker has the device's user name. */
    poolHashrate: Nullable(Hashrate),
    /** (reported − pool) / reported, in %: positive when the pool sees less than the device claims. */
    gapPercent: Nullable(Type.Number()),
    /** The gap is beyond the pool's alert threshold either way. */
    alert: Type.Boolean(),
  }),
});
export type FarmDevice = Static<typeof FarmDevice>;

/** One meter of a farm as its page shows it: its latest reading, tariffs, and a failed read after it. */
export const FarmMeter = Type.Object({
  name: Type.String(),
  serial: Nullable(Type.String()),
  /** The latest reading's time; null when it never gave one. */
  at: Nullable(Timestamp),
  watts: Nullable(Type.Number()),
  energyWh: Nullable(Type.Number({ minimum: 0 })),
  /** The latest reading's tariff totals, Wh, by name; empty when the meter gave none. */
  tariffEnergyWh: Type.Record(Type.String(), Type.Number({ minimum: 0 })),
  /** The latest failed read, when it is newer than the latest reading: the meter is unknown since. */
  failure: Nullable(Type.Object({ at: Timestamp, reason: Type.String() })),
});
export type FarmMeter = Static<typeof FarmMeter>;

/**
 * A farm's power now: its meters' when they are fresh, otherwise the sum of its
 * devices' figures (how many of them estimated), and its efficiency from that.
 */
export const FarmPower = Type.Object({
  farmId: Type.String(),
  power: PowerFigure,
  /** Bitcoin (SHA-256) hashrate its devices report, H/s; null when none reports any. */
  hashrate: Nullable(Hashrate),
  /** Devices hashing other algorithms (or one not known), each algorithm apart; never in `hashrate`. */
  otherAlgorithms: Type.Array(AlgorithmHashrate),
  efficiency: EfficiencyFigure,
  devices: Type.Object({
    total: Type.Integer({ minimum: 0 }),
    /** Counted by the basis of each device's power. */
    measured: Type.Integer({ minimum: 0 }),
    estimated: Type.Integer({ minimum: 0 }),
    unknown: Type.Integer({ minimum: 0 }),
  }),
  /** The farm's meters' latest total power and when; null without a meter. */
  meter: Nullable(
    Type.Object({
      watts: Nullable(Type.Number()),
      at: Nullable(Timestamp),
      /** Every meter reported within the last few minutes. */
      fresh: Type.Boolean(),
      /** Each meter's latest reading, and its latest failed read when that came after it. */
      meters: Type.Optional(Type.Array(FarmMeter)),
    }),
  ),
});
export type FarmPower = Static<typeof FarmPower>;

/** What an operator sets of a device; null clears, absent leaves as is. */
export const DevicePatch = Type.Object(
  {
    rack: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    shelf: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    slot: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 50 }))),
    nominalHashrate: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 1e18 }))),
    nominalPowerW: Type.Optional(Nullable(Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 }))),
  },
  { additionalProperties: false },
);
export type DevicePatch = Static<typeof DevicePatch>;
