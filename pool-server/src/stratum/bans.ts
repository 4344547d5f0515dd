/**
 * Temporary bans by address. Misbehaviour (garbage, oversized lines, failed logins,
 * sustained invalid shares) scores points; reaching the threshold bans the address
 * for banSeconds. Scores fade in whole points: a full threshold is forgotten over
 * decaySeconds, one point at a time, so penalties that add up to the threshold within
 * a moment ban, rather than falling a hair short of it.
 */
export interface BanSettings {
  readonly threshold: number;
  readonly banSeconds: number;
  readonly decaySeconds: number;
}

export const DEFAULT_BANS: BanSettings = { threshold: 100, banSeconds: 600, decaySeconds: 600 };

interface Record {
  score: number;
  updatedMs: number;
  bannedUntilMs: number;
}

export class BanList {
  readonly #settings: BanSettings;
  readonly #records = new Map<string, Record>();

  constructor(settings: BanSettings = DEFAULT_BANS) {
    this.#settings = settings;
  }

  /** Adds points; returns true when this bans the address. */
  penalize(address: string, points: number, nowMs: number): boolean {
    const record = this.#current(address, nowMs);
    record.score += points;
    if (record.score >= this.#settings.threshold && record.bannedUntilMs <= nowMs) {
      record.bannedUntilMs = nowMs + this.#settings.banSeconds * 1000;
      record.score = 0;
      return true;
    }
    return false;
  }

  isBanned(address: string, nowMs: number): boolean {
    return (this.#records.get(address)?.bannedUntilMs ?? 0) > nowMs;
  }

  /** Forgets addresses with nothing left to remember; call now and then. */
  sweep(nowMs: number): void {
    for (const [address, record] of this.#records) {
      this.#fade(record, nowMs);
      if (record.bannedUntilMs <= nowMs && record.score <= 0) {
        this.#records.delete(address);
      }
    }
  }

  #fade(record: Record, nowMs: number): void {
    const msPerPoint = (this.#settings.decaySeconds * 1000) / this.#settings.threshold;
    const faded = Math.floor((nowMs - record.updatedMs) / msPerPoint);
    if (faded <= 0) {
      return;
    }
    record.score = Math.max(0, record.score - faded);
    // Time not yet worth a whole point still counts towards the next one.
    record.updatedMs = record.score === 0 ? nowMs : record.updatedMs + faded * msPerPoint;
  }

  #current(address: string, nowMs: number): Record {
    let record = this.#records.get(address);
    if (!record) {
      record = { score: 0, updatedMs: nowMs, bannedUntilMs: 0 };
      this.#records.set(address, record);
    }
    this.#fade(record, nowMs);
    return record;
  }
}
