/**
 * Where an energy meter keeps total active power and imported energy over Modbus.
 * Sources: ../shared/domain/miner-apis.md (d) — Eastron SDM630 input registers
 * (spjakob/ha-modbus_devices, merlokk/SmartHome eastron.h), Schneider PowerLogic
 * PM5xxx holding registers (the PM5340/PM5560 register list, as Tether MiningOS's
 * pm5340 worker reads it). Schneider documents register numbers from 1, so the wire
 * address may be the number minus one: the register base is a setting.
 */

export type RegisterKind = 'input' | 'holding';
export type RegisterType = 'float32' | 'int32' | 'uint32' | 'int16' | 'uint16';

export interface RegisterSpec {
  /** The register as the manual numbers it. */
  readonly register: number;
  readonly kind: RegisterKind;
  readonly type: RegisterType;
  /** Multiplies the raw value into W (power) or Wh (energy). */
  readonly scale: number;
  /** The order of 16-bit words in 32-bit values; most meters send the high word first. */
  readonly wordOrder: 'high-first' | 'low-first';
}

export interface RegisterMap {
  readonly powerW: RegisterSpec;
  readonly energyWh: RegisterSpec;
  /** The unit id the meter answers to unless told otherwise. */
  readonly defaultUnitId: number;
}

const float = (register: number, kind: RegisterKind, scale: number): RegisterSpec => ({
  register,
  kind,
  type: 'float32',
  scale,
  wordOrder: 'high-first',
});

export const REGISTER_MAPS = {
  /** Total system power 0x0034 (W); import energy 0x0048 (kWh); function 04. */
  sdm630: { powerW: float(0x0034, 'input', 1), energyWh: float(0x0048, 'input', 1000), defaultUnitId: 1 },
  /** Active power total 3060 (kW); active energy delivered 2700 (kWh); function 03; unit id 255 on PM5340. */
  pm5xxx: {
    powerW: float(3060, 'holding', 1000),
    energyWh: float(2700, 'holding', 1000),
    defaultUnitId: 255,
  },
} as const satisfies Record<string, RegisterMap>;

export type MeterModel = keyof typeof REGISTER_MAPS;

export function registerCount(type: RegisterType): number {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

/** Decodes the registers' bytes as the meter sends them (big-endian within each word). */
export function decodeRegisters(buffer: Buffer, spec: RegisterSpec): number {
  const words = registerCount(spec.type);
  if (buffer.length < words * 2) {
    throw new RangeError(
      `expected ${String(words * 2)} bytes for a ${spec.type}, got ${String(buffer.length)}`,
    );
  }
  const bytes =
    words === 2 && spec.wordOrder === 'low-first'
      ? Buffer.concat([buffer.subarray(2, 4), buffer.subarray(0, 2)])
      : buffer.subarray(0, words * 2);
  const raw = ((): number => {
    switch (spec.type) {
      case 'float32':
        return bytes.readFloatBE(0);
      case 'int32':
        return bytes.readInt32BE(0);
      case 'uint32':
        return bytes.readUInt32BE(0);
      case 'int16':
        return bytes.readInt16BE(0);
      case 'uint16':
        return bytes.readUInt16BE(0);
    }
  })();
  return raw * spec.scale;
}

/** The registers' words for a value: what an emulated meter serves. */
export function encodeRegisters(value: number, spec: RegisterSpec): number[] {
  const raw = value / spec.scale;
  const bytes = Buffer.alloc(4);
  switch (spec.type) {
    case 'float32':
      bytes.writeFloatBE(raw, 0);
      break;
    case 'int32':
      bytes.writeInt32BE(Math.round(raw), 0);
      break;
    case 'uint32':
      bytes.writeUInt32BE(Math.round(raw), 0);
      break;
    case 'int16':
      bytes.writeInt16BE(Math.round(raw), 0);
      return [bytes.readUInt16BE(0)];
    case 'uint16':
      return [Math.round(raw) & 0xffff];
  }
  const high = bytes.readUInt16BE(0);
  const low = bytes.readUInt16BE(2);
  return spec.wordOrder === 'low-first' ? [low, high] : [high, low];
}
