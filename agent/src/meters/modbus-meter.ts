import type { MeterSample } from '@hashwatt/schemas';
import modbusSerial from 'modbus-serial';
import { withDeadline } from '../protocol/deadline.ts';
import {
  decodeRegisters,
  REGISTER_MAPS,
  registerCount,
  type MeterModel,
  type RegisterSpec,
} from './register-maps.ts';

// modbus-serial is CommonJS and its typings declare an ES default export; under NodeNext
// the default import is typed as the whole module while at run time it is the client class.
const ModbusRTU = modbusSerial as unknown as typeof modbusSerial.default;

/** A meter as the agent's config describes it. */
export interface MeterSettings {
  readonly name: string;
  /** The serial on its nameplate, sent with each reading. */
  readonly serial?: string;
  readonly host: string;
  readonly port: number;
  readonly model: MeterModel | 'generic';
  readonly unitId?: number;
  /** Subtracted from the manual's register numbers: 1 where the manual counts from 1 (Schneider). */
  readonly registerBase: number;
  /** For `generic`: where power and energy are. */
  readonly registers?: { readonly powerW: RegisterSpec; readonly energyWh: RegisterSpec };
}

export class MeterError extends Error {
  constructor(
    readonly meter: string,
    message: string,
  ) {
    super(`meter ${meter}: ${message}`);
    this.name = 'MeterError';
  }
}

export function registersOf(settings: MeterSettings): {
  powerW: RegisterSpec;
  energyWh: RegisterSpec;
  unitId: number;
} {
  if (settings.model === 'generic') {
    if (!settings.registers) {
      throw new MeterError(settings.name, 'a generic meter needs registers.powerW and registers.energyWh');
    }
    return { ...settings.registers, unitId: settings.unitId ?? 1 };
  }
  const map = REGISTER_MAPS[settings.model];
  return { powerW: map.powerW, energyWh: map.energyWh, unitId: settings.unitId ?? map.defaultUnitId };
}

/** Reads total active power and imported energy over Modbus TCP; every failure names the meter. */
export async function readMeter(
  settings: MeterSettings,
  options: { readonly timeoutMs: number; readonly now: () => Date },
): Promise<MeterSample> {
  const { powerW, energyWh, unitId } = registersOf(settings);
  const client = new ModbusRTU();
  client.setTimeout(options.timeoutMs);
  try {
    if (
      (await withDeadline(client.connectTCP(settings.host, { port: settings.port }), options.timeoutMs)) ===
      'timeout'
    ) {
      throw new Error(`no TCP connection within ${String(options.timeoutMs)} ms`);
    }
    client.setID(unitId);
    const read = async (spec: RegisterSpec): Promise<number> => {
      const address = spec.register - settings.registerBase;
      const length = registerCount(spec.type);
      const result =
        spec.kind === 'input'
          ? await client.readInputRegisters(address, length)
          : await client.readHoldingRegisters(address, length);
      const value = decodeRegisters(result.buffer, spec);
      if (!Number.isFinite(value)) {
        throw new Error(`register ${String(spec.register)} holds no number`);
      }
      return value;
    };
    const power = await read(powerW);
    const energy = await read(energyWh);
    if (energy < 0) {
      throw new Error(
        `register ${String(energyWh.register)} holds a negative energy total (${String(energy)} Wh)`,
      );
    }
    return {
      meter: settings.name,
      ...(settings.serial === undefined ? {} : { serial: settings.serial }),
      at: options.now().toISOString(),
      powerW: power,
      energyWh: energy,
    };
  } catch (error) {
    throw new MeterError(settings.name, `${settings.host}:${String(settings.port)}: ${describe(error)}`);
  } finally {
    client.close(() => undefined);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    return (error as NodeJS.ErrnoException).code ?? error.message;
  }
  // modbus-serial rejects with plain objects for Modbus exceptions ({ modbusCode, message }).
  const record = error as { message?: unknown };
  return typeof record.message === 'string' ? record.message : String(error);
}
