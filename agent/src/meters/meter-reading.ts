/** What one protocol's reader got from a meter, before it becomes a sample. */
export interface MeterReading {
  /** The meter's running total of imported active energy. */
  readonly energyWh: number;
  /** Instantaneous active power, all phases; negative when exported. */
  readonly powerW: number;
  /** The running total of each tariff register read, by the tariff's configured name. */
  readonly tariffEnergyWh?: Readonly<Record<string, number>>;
  /** The serial the meter reports about itself, where the protocol carries one. */
  readonly serial?: string;
}

export interface ReadLimits {
  readonly connectTimeoutMs: number;
  /** The whole read: every exchange together. */
  readonly timeoutMs: number;
}
