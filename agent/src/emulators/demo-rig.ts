/**
 * What an emulated Antminer of the demo is doing, as its firmware would hold it: its
 * work mode (stock `miner-mode`: normal, sleep, low power), whether it is rebooting and
 * since when it is up, and what it draws from the wall. Its RPC, its web interface, its
 * CPU miner and the farm's meter all follow it through `onChange`.
 */

export type WorkMode = 'normal' | 'sleep' | 'low-power';

/** How the rig's web interface misbehaves, on purpose: a firmware error, or nothing listening. */
export type WebFault = 'none' | 'http-500' | 'refuse';

/** Stock firmware's `miner-mode` / `bitmain-work-mode` codes [miner-apis.md B2; pyasic]. 2 (HEM) exists on S19k Pro only. */
export const MODE_CODES: Readonly<Record<WorkMode, string>> = { normal: '0', sleep: '1', 'low-power': '3' };

/** The share of its full hashrate a rig in low-power mode keeps. */
const LOW_POWER_SHARE = 0.5;

export interface DemoRigOptions {
  /** What it draws hashing at full speed, in W. */
  readonly hashingW: number;
  /** What it draws asleep or while booting (control board, fans at idle), in W. */
  readonly standbyW: number;
  /** How long a reboot keeps it off the network, in ms. */
  readonly rebootMs: number;
  readonly now?: () => number;
}

export class DemoRig {
  readonly #options: DemoRigOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<() => void>();
  #mode: WorkMode = 'normal';
  #rebooting: NodeJS.Timeout | undefined;
  #bootedAtMs: number;
  #webFault: WebFault = 'none';

  constructor(options: DemoRigOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#bootedAtMs = this.#now();
  }

  get mode(): WorkMode {
    return this.#mode;
  }

  get rebooting(): boolean {
    return this.#rebooting !== undefined;
  }

  get webFault(): WebFault {
    return this.#webFault;
  }

  /** Seconds since it last booted. */
  uptimeSeconds(): number {
    return Math.floor((this.#now() - this.#bootedAtMs) / 1000);
  }

  /** The share of its full hashrate it works at now: 0 asleep or booting. */
  speed(): number {
    if (this.rebooting || this.#mode === 'sleep') {
      return 0;
    }
    return this.#mode === 'low-power' ? LOW_POWER_SHARE : 1;
  }

  /** What it draws now, in W: standby plus what its hashing adds. */
  drawW(): number {
    const { hashingW, standbyW } = this.#options;
    return standbyW + (hashingW - standbyW) * this.speed();
  }

  /** As set_miner_conf.cgi does; the mode is kept across reboots, as the firmware keeps its config. */
  setMode(mode: WorkMode): void {
    if (mode !== this.#mode) {
      this.#mode = mode;
      this.#changed();
    }
  }

  /** As reboot.cgi does: off the network now, back after `rebootMs` with its uptime reset. */
  reboot(): void {
    if (this.rebooting) {
      return;
    }
    this.#rebooting = setTimeout(() => {
      this.#rebooting = undefined;
      this.#bootedAtMs = this.#now();
      this.#changed();
    }, this.#options.rebootMs);
    this.#changed();
  }

  setWebFault(fault: WebFault): void {
    if (fault !== this.#webFault) {
      this.#webFault = fault;
      this.#changed();
    }
  }

  /** Calls `listener` after each change; returns how to stop. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Ends a reboot under way without coming back: the demo is stopping. */
  dispose(): void {
    clearTimeout(this.#rebooting);
    this.#listeners.clear();
  }

  #changed(): void {
    for (const listener of this.#listeners) {
      listener();
    }
  }
}

/** Keeps a meter's load at what the rigs draw together, from now on. Returns how to stop. */
export function meterFollows(
  meter: { setPowerW(watts: number): void },
  rigs: readonly DemoRig[],
): () => void {
  const update = (): void => {
    meter.setPowerW(rigs.reduce((sum, rig) => sum + rig.drawW(), 0));
  };
  update();
  const stops = rigs.map((rig) => rig.onChange(update));
  return () => {
    for (const stop of stops) {
      stop();
    }
  };
}
