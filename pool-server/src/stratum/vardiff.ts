/**
 * Variable difficulty: moves a session's difficulty toward one share every
 * targetShareSeconds. Clockless: callers pass the time. A new difficulty is announced
 * with mining.set_difficulty; shares on jobs sent before it are judged leniently
 * (see StratumSession).
 */
export interface VardiffSettings {
  /** The share interval aimed at, per connection. */
  readonly targetShareSeconds: number;
  /** A quiet session is not lowered before this much time has passed. */
  readonly retargetSeconds: number;
  /** A window on target is restarted after this many shares. */
  readonly retargetShares: number;
  readonly minDifficulty: number;
  readonly maxDifficulty: number;
  readonly startDifficulty: number;
}

export const DEFAULT_VARDIFF: VardiffSettings = {
  targetShareSeconds: 10,
  retargetSeconds: 60,
  retargetShares: 24,
  minDifficulty: 0.0001,
  maxDifficulty: 2 ** 48,
  startDifficulty: 1024,
};

/** After a full window, the difficulty stays put while the share rate is within this band of the aim. */
const LOW_RATIO = 0.5;
const HIGH_RATIO = 2;
/**
 * A miner far too fast is caught before the window fills: 8 shares arriving 8 times
 * faster than the aim happen by chance once in ~10^5 windows.
 */
const FAST_SHARES = 8;
const FAST_RATIO = 8;
/** A session this many times slower than the aim is lowered without waiting for a full window… */
const SLOW_FACTOR = 4;
/** …once the window should have held this many shares (P(at most 3 of 12 expected) = 0.2 %). */
const SLOW_MIN_EXPECTED = 12;
/** The largest step one retarget takes, up or down. */
const MAX_STEP = 64;

function tidy(difficulty: number): number {
  return Number(difficulty.toPrecision(4));
}

export class Vardiff {
  readonly #settings: VardiffSettings;
  #difficulty: number;
  #floor: number;
  #fixed = false;
  #windowStartMs: number;
  #windowShares = 0;

  constructor(settings: VardiffSettings, nowMs: number) {
    this.#settings = settings;
    this.#floor = settings.minDifficulty;
    this.#difficulty = this.#clamp(settings.startDifficulty);
    this.#windowStartMs = nowMs;
  }

  get difficulty(): number {
    return this.#difficulty;
  }

  get fixed(): boolean {
    return this.#fixed;
  }

  /** A static difficulty (password d=N): vardiff stops. Returns the difficulty set. */
  fix(difficulty: number, nowMs: number): number {
    this.#fixed = true;
    return this.#set(difficulty, nowMs);
  }

  /** [BIP310 minimum-difficulty] a floor for this session; raises the difficulty if below. */
  setFloor(difficulty: number, nowMs: number): number {
    this.#floor = Math.min(Math.max(difficulty, this.#settings.minDifficulty), this.#settings.maxDifficulty);
    return this.#set(Math.max(this.#difficulty, this.#floor), nowMs);
  }

  /** [stratum: mining.suggest_difficulty] starts from the miner's suggestion. */
  suggest(difficulty: number, nowMs: number): number {
    return this.#fixed ? this.#difficulty : this.#set(difficulty, nowMs);
  }

  /** Counts an accepted share; returns the new difficulty when it should change. */
  recordShare(nowMs: number): number | undefined {
    this.#windowShares++;
    return this.#judge(nowMs);
  }

  /** Time passing, with or without shares; returns the new difficulty when it should change. */
  tick(nowMs: number): number | undefined {
    return this.#judge(nowMs);
  }

  #judge(nowMs: number): number | undefined {
    if (this.#fixed) {
      return undefined;
    }
    const seconds = Math.max((nowMs - this.#windowStartMs) / 1000, 0.001);
    const shares = this.#windowShares;
    const target = this.#settings.targetShareSeconds;
    const ratio = (target * shares) / seconds;
    if (shares >= this.#settings.retargetShares) {
      if (ratio >= LOW_RATIO && ratio <= HIGH_RATIO) {
        this.#windowStartMs = nowMs;
        this.#windowShares = 0;
        return undefined;
      }
      return this.#step(ratio, nowMs);
    }
    if (shares >= FAST_SHARES && ratio >= FAST_RATIO) {
      return this.#step(ratio, nowMs);
    }
    const expectedShares = seconds / target;
    if (
      seconds >= this.#settings.retargetSeconds &&
      expectedShares >= SLOW_MIN_EXPECTED &&
      shares * SLOW_FACTOR <= expectedShares
    ) {
      // shares + 1: a window with no share yet is not an infinitely slow miner.
      return this.#step((target * (shares + 1)) / seconds, nowMs);
    }
    return undefined;
  }

  #step(ratio: number, nowMs: number): number | undefined {
    const before = this.#difficulty;
    const after = this.#set(before * Math.min(Math.max(ratio, 1 / MAX_STEP), MAX_STEP), nowMs);
    return after === before ? undefined : after;
  }

  #clamp(difficulty: number): number {
    return tidy(Math.min(Math.max(difficulty, this.#floor), this.#settings.maxDifficulty));
  }

  #set(difficulty: number, nowMs: number): number {
    this.#difficulty = this.#clamp(difficulty);
    this.#windowStartMs = nowMs;
    this.#windowShares = 0;
    return this.#difficulty;
  }
}
