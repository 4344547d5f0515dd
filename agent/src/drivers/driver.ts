import type {
  ActionParams,
  DeviceAction,
  DeviceMessage,
  Firmware,
  MinerIdentity,
  MinerSample,
  MinerState,
  StateReason,
} from '@hashwatt/schemas';
import type { RpcLimits, RpcTarget } from '../protocol/rpc-error.ts';

/** Where a miner answers: its address and the port of the API its driver speaks. */
export type DeviceAddress = RpcTarget;

export interface ReadContext {
  readonly now: () => Date;
  readonly limits: RpcLimits;
  /** Logins per firmware, tried in order, for the writes that need one. */
  readonly credentials?: Readonly<
    Record<string, readonly { readonly username: string; readonly password: string }[]>
  >;
  /** The port of the miners' web interfaces (80 on real miners). */
  readonly webPort?: number;
}

/** One firmware family: how to read a miner into a sample. */
export interface MinerDriver {
  readonly name: string;
  /** What a device this driver reads is called before it has answered once. */
  readonly firmware: Firmware;
  readonly make: string;
  /** Where its API listens unless the device is set up otherwise (4028, 80, 4433, …). */
  readonly port: number;
  read(device: DeviceAddress, context: ReadContext): Promise<MinerSample>;
  /** Carries out a command, where the firmware can; absent: the driver can do none. */
  act?(device: DeviceAddress, command: DeviceOrder, context: ReadContext): Promise<ActionResult>;
}

/** A command for one device, as the server hands it out. */
export interface DeviceOrder {
  readonly action: DeviceAction;
  readonly params: ActionParams;
}

export interface ActionResult {
  readonly status: 'done' | 'failed' | 'unsupported';
  readonly message: string;
}

export function unsupported(driver: string, action: DeviceAction): ActionResult {
  return { status: 'unsupported', message: `${driver} firmware offers no way to ${action} over its API` };
}

export function deviceKey(device: DeviceAddress): string {
  return `${device.host}:${String(device.port)}`;
}

export type Parts = Omit<
  MinerSample,
  'device' | 'at' | 'identity' | 'state' | 'collection' | 'boards' | 'fans' | 'pools' | 'messages'
> &
  Partial<Pick<MinerSample, 'boards' | 'fans' | 'pools' | 'messages' | 'state'>>;

/**
 * A miner up for less than this (s) that does not hash yet is starting, not failing: a
 * stock Antminer takes minutes from boot to its first share (boards found, frequency
 * ramped), and a woken Whatsminer or LuxOS miner ramps the same way.
 */
export const STARTING_WINDOW_S = 900;

/** What a sample's state word reads as in a sentence. */
const STATE_WORDS: Readonly<Partial<Record<MinerState, string>>> = {
  sleeping: 'asleep',
  idle: 'idle',
  starting: 'starting',
};

/**
 * The state of a miner whose firmware did not say, and why: hashing is mining; up for
 * less than STARTING_WINDOW_S is starting; no pool alive to give it work is idle; else an
 * error.
 */
function inferState(parts: Parts): { state: MinerState; reason: StateReason } {
  if ((parts.hashrate ?? 0) > 0) {
    return { state: 'mining', reason: { code: 'hashing' } };
  }
  const hashrate = parts.hashrate === undefined ? 'none' : 'zero';
  if (parts.uptimeSeconds !== undefined && parts.uptimeSeconds < STARTING_WINDOW_S) {
    return { state: 'starting', reason: { code: 'starting', hashrate, uptimeSeconds: parts.uptimeSeconds } };
  }
  const pools = parts.pools ?? [];
  if (pools.length > 0 && pools.every((pool) => !pool.alive)) {
    return { state: 'idle', reason: { code: 'pools-dead', hashrate, pools: pools.length } };
  }
  return { state: 'error', reason: { code: 'no-hashrate', hashrate } };
}

/**
 * The evidence in English, for logs, the CLI and pools older than `stateReason`: the
 * firmware's words, then what the agent inferred where it had to.
 */
function evidenceText(reason: StateReason): string {
  const none = reason.hashrate === 'zero' ? 'hashrate 0' : 'no hashrate reported';
  const why = {
    reported: undefined,
    hashing: 'hashrate > 0',
    starting: `up ${String(reason.uptimeSeconds)} s, ${none} yet`,
    'pools-dead': `${none}, none of its ${String(reason.pools)} pools alive`,
    'no-hashrate': none,
  }[reason.code];
  if (why === undefined) {
    return reason.quote ?? '';
  }
  return reason.quote === undefined ? `no state read: ${why}` : `${reason.quote}; ${why}`;
}

/**
 * Puts a sample together from what a driver read. The state is the device's own word
 * where the driver read one (`parts.state`, with `parts.stateEvidence` naming the field
 * and value); otherwise it is inferred (inferState) and the evidence says from what. Only
 * a mining miner's hashrate counts: one asleep, idle or starting does no work, whatever
 * figure its API still shows, so its hashrate is 0 and the figure a warning.
 */
export function assemble(
  device: DeviceAddress,
  identity: MinerIdentity,
  parts: Parts,
  collection: {
    readonly startedMs: number;
    readonly sources: readonly string[];
    readonly warnings: readonly string[];
  },
  context: ReadContext,
): MinerSample {
  const messages: DeviceMessage[] = [...(parts.messages ?? [])];
  const warnings = [...collection.warnings];
  const hashing = (parts.hashrate ?? 0) > 0;
  const inferred = parts.state === undefined ? inferState(parts) : undefined;
  const state: MinerState = parts.state ?? inferred?.state ?? 'error';
  const quote = parts.stateEvidence?.slice(0, 200);
  // A hashing miner whose firmware said something of its state: those words are the evidence.
  const stateReason: StateReason | undefined =
    inferred === undefined || (inferred.state === 'mining' && quote !== undefined)
      ? quote === undefined
        ? undefined
        : { code: 'reported', quote }
      : { ...inferred.reason, ...(quote !== undefined && { quote }) };
  if (state === 'error' && messages.length === 0) {
    messages.push({
      severity: 'error',
      message: parts.hashrate === undefined ? 'the miner reports no hashrate' : 'the miner is not hashing',
    });
  }
  const idleWord = STATE_WORDS[state];
  if (idleWord !== undefined && hashing) {
    warnings.push(
      `the miner is ${idleWord} (${stateReason ? evidenceText(stateReason) : 'its state'}): the hashrate its API still shows (${String(parts.hashrate)} H/s) is not counted`,
    );
  }
  const now = context.now();
  return {
    ...parts,
    device: deviceKey(device),
    at: now.toISOString(),
    identity,
    state,
    ...(stateReason && { stateEvidence: evidenceText(stateReason).slice(0, 200), stateReason }),
    // Its firmware saying so is a reading of 0; an inference from a missing figure is not.
    ...(idleWord !== undefined &&
      (parts.state !== undefined || parts.hashrate !== undefined) && { hashrate: 0 }),
    boards: parts.boards ?? [],
    fans: parts.fans ?? [],
    pools: parts.pools ?? [],
    messages,
    collection: {
      latencyMs: Math.max(0, now.getTime() - collection.startedMs),
      sources: [...collection.sources],
      warnings,
    },
  };
}

/** What a driver made of a device's replies. */
export interface Reading {
  readonly identity: MinerIdentity;
  readonly parts: Parts;
  /** Figures read and set aside, each a line (a powered-off miner's stale power). */
  readonly warnings?: readonly string[];
}

export interface Replies<B> {
  readonly bodies: B;
  /** The calls that answered, e.g. `rpc:stats`. */
  readonly sources: readonly string[];
  /** Calls that failed and repairs made, each a line. */
  readonly warnings: readonly string[];
}

export interface DriverName {
  readonly name: string;
  readonly firmware: Firmware;
  readonly make: string;
  readonly port: number;
  readonly act?: MinerDriver['act'];
}

/** A driver: fetch the replies a firmware gives, then read them into a sample. */
export function defineDriver<B>(
  meta: DriverName,
  fetch: (device: DeviceAddress, context: ReadContext) => Promise<Replies<B>>,
  build: (bodies: B, context: ReadContext) => Reading,
): MinerDriver {
  const { act, ...names } = meta;
  return {
    ...names,
    ...(act && { act }),
    async read(device, context) {
      const startedMs = context.now().getTime();
      const replies = await fetch(device, context);
      const { identity, parts, warnings = [] } = build(replies.bodies, context);
      return assemble(
        device,
        identity,
        parts,
        { startedMs, sources: replies.sources, warnings: [...replies.warnings, ...warnings] },
        context,
      );
    },
  };
}
