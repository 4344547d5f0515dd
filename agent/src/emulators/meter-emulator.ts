import { ServerTCP } from 'modbus-serial';
import { encodeRegisters, type RegisterSpec } from '../meters/register-maps.ts';

/**
 * An energy meter on Modbus TCP: it serves total power and a running energy total
 * (integrated from the power it is told the load draws) at the registers of a real
 * model's map. For the tests and the demo farm.
 */
export interface MeterEmulator {
  readonly host: string;
  readonly port: number;
  /** Sets the load; energy accumulates at this power from now on. */
  setPowerW(watts: number): void;
  energyWh(): number;
  close(): Promise<void>;
}

export async function startMeterEmulator(options: {
  readonly registers: { readonly powerW: RegisterSpec; readonly energyWh: RegisterSpec };
  readonly unitId: number;
  /** Subtracted from the register numbers, as the meter's firmware does. */
  readonly registerBase?: number;
  readonly host?: string;
  readonly port: number;
  readonly powerW: number;
  readonly energyWh?: number;
  readonly now?: () => number;
}): Promise<MeterEmulator> {
  const now = options.now ?? Date.now;
  let power = options.powerW;
  let energy = options.energyWh ?? 0;
  let since = now();
  const energyNow = (): number => energy + (power * (now() - since)) / 3_600_000;
  const base = options.registerBase ?? 0;
  // Whole reads at once, so the two words of a float come from the same moment.
  const words = (kind: 'input' | 'holding', address: number, length: number, unitId: number): number[] => {
    if (unitId !== options.unitId) {
      throw Object.assign(new Error('no such unit'), { modbusErrorCode: 0x0b });
    }
    for (const [spec, value] of [
      [options.registers.powerW, power],
      [options.registers.energyWh, energyNow()],
    ] as const) {
      const start = spec.register - base;
      const served = encodeRegisters(value, spec);
      if (spec.kind === kind && address >= start && address + length <= start + served.length) {
        return served.slice(address - start, address - start + length);
      }
    }
    throw Object.assign(new Error('illegal data address'), { modbusErrorCode: 0x02 });
  };
  const host = options.host ?? '127.0.0.1';
  const server = new ServerTCP(
    {
      getMultipleInputRegisters: (address: number, length: number, unitId: number) =>
        words('input', address, length, unitId),
      getMultipleHoldingRegisters: (address: number, length: number, unitId: number) =>
        words('holding', address, length, unitId),
      // modbus-serial asks one register at a time for reads of length 1.
      getInputRegister: (address: number, unitId: number) => words('input', address, 1, unitId)[0] ?? 0,
      getHoldingRegister: (address: number, unitId: number) => words('holding', address, 1, unitId)[0] ?? 0,
    },
    { host, port: options.port, unitID: options.unitId },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('initialized', () => {
      resolve();
    });
    server.once('serverError', reject);
  });
  return {
    host,
    port: options.port,
    setPowerW(watts) {
      energy = energyNow();
      since = now();
      power = watts;
    },
    energyWh: energyNow,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
