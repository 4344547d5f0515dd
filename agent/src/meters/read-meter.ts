import type { MeterSample } from '@hashwatt/schemas';
import { DlmsError } from './dlms/dlms-error.ts';
import { readDlms } from './dlms/reader.ts';
import { LinkError } from './gateway-link.ts';
import { readIec62056 } from './iec62056/reader.ts';
import { ReadoutError } from './iec62056/readout.ts';
import { MercuryFrameError } from './mercury/frame.ts';
import { readMercury } from './mercury/reader.ts';
import { mercuryPassword, type MeterEntry, serverAddressBytes } from './meter-config.ts';
import type { MeterReading, ReadLimits } from './meter-reading.ts';
import { MeterError, readMeter as readModbusMeter } from './modbus-meter.ts';

export interface MeterRead {
  readonly sample: MeterSample;
}

/** DLMS client and server SAPs when the entry names none (Green Book). */
const PUBLIC_CLIENT = 16;
const MANAGEMENT_LOGICAL_DEVICE = 1;

/** An IEC 62056-21 data message this long is no meter's readout (a full one is a few KiB). */
const MAX_READOUT_BYTES = 64 * 1024;

/**
 * Reads one configured meter with its protocol. Whatever fails, the error is a
 * MeterError naming the meter, where it is and why: a reading is never made up, and a
 * meter that cannot be read gives no sample (never a 0).
 */
export async function readConfiguredMeter(
  meter: MeterEntry,
  options: ReadLimits & { readonly now: () => Date },
): Promise<MeterRead> {
  if (meter.protocol === 'modbus') {
    if (meter.model === undefined) {
      throw new MeterError(meter.name, 'a modbus meter needs a model');
    }
    return { sample: await readModbusMeter({ ...meter, model: meter.model }, options) };
  }
  const where = `${meter.host}:${String(meter.port)}`;
  let reading: MeterReading;
  try {
    reading = await readByProtocol(meter, options);
  } catch (error) {
    const over = meter.transport === 'hdlc' ? ' over HDLC' : '';
    throw new MeterError(meter.name, `${where} (${meter.protocol}${over}): ${describe(error)}`);
  }
  if (meter.serial !== undefined && reading.serial !== undefined && reading.serial !== meter.serial) {
    throw new MeterError(
      meter.name,
      `${where}: the meter reports serial ${reading.serial}, the configuration says ${meter.serial}: another meter answers at this address`,
    );
  }
  const serial = meter.serial ?? reading.serial;
  return {
    sample: {
      meter: meter.name,
      ...(serial !== undefined && { serial }),
      at: options.now().toISOString(),
      energyWh: reading.energyWh,
      powerW: reading.powerW,
      ...(reading.tariffEnergyWh !== undefined && { tariffEnergyWh: { ...reading.tariffEnergyWh } }),
    },
  };
}

/**
 * Reads every meter, and says of each what it read or why it could not. Meters behind the
 * same gateway share one RS-485 line (and many gateways take one client at a time), so
 * they are read one after another; different gateways at once.
 */
export async function readMeters(
  meters: readonly MeterEntry[],
  options: ReadLimits & { readonly now: () => Date },
): Promise<(MeterRead | MeterError)[]> {
  const byGateway = new Map<string, number[]>();
  meters.forEach((meter, i) => {
    const gateway = `${meter.host}:${String(meter.port)}`;
    byGateway.set(gateway, [...(byGateway.get(gateway) ?? []), i]);
  });
  const results: (MeterRead | MeterError)[] = [];
  await Promise.all(
    [...byGateway.values()].map(async (indices) => {
      for (const i of indices) {
        const meter = meters[i];
        if (meter) {
          results[i] = await readConfiguredMeter(meter, options).catch((error: unknown) =>
            error instanceof MeterError
              ? error
              : new MeterError(meter.name, error instanceof Error ? error.message : String(error)),
          );
        }
      }
    }),
  );
  return results;
}

/** Reads a meter over its serial-line or DLMS protocol (every one but Modbus TCP). */
function readByProtocol(meter: MeterEntry, limits: ReadLimits): Promise<MeterReading> {
  switch (meter.protocol) {
    case 'mercury230':
      return readMercury(
        {
          host: meter.host,
          port: meter.port,
          address: typeof meter.address === 'number' ? meter.address : 0,
          accessLevel: meter.accessLevel === 2 ? 2 : 1,
          password: mercuryPassword(meter),
          tariffs: tariffsOf(meter, 4).map(({ tariff, name }) => ({ tariff: tariff as 1 | 2 | 3 | 4, name })),
          transformerRatio: meter.transformerRatio,
        },
        limits,
      );
    case 'dlms':
      return readDlms(
        {
          transport: meter.transport ?? 'wrapper',
          host: meter.host,
          port: meter.port,
          client: meter.clientAddress ?? PUBLIC_CLIENT,
          server: meter.logicalDevice ?? MANAGEMENT_LOGICAL_DEVICE,
          physicalAddress: meter.physicalAddress,
          serverAddressBytes: serverAddressBytes(meter),
          password: meter.password === undefined ? undefined : Buffer.from(meter.password, 'latin1'),
          tariffs: tariffsOf(meter, 4),
          transformerRatio: meter.transformerRatio,
        },
        limits,
      );
    default:
      return readIec62056(
        {
          host: meter.host,
          port: meter.port,
          deviceAddress: typeof meter.address === 'string' ? meter.address : '',
          tariffs: tariffsOf(meter, 9),
          transformerRatio: meter.transformerRatio,
          unitsWhenMissing: meter.units ?? {},
          parityInBytes: meter.parityInBytes === true,
          baudRateCharacter: meter.baudRateCharacter,
          maxReadoutBytes: MAX_READOUT_BYTES,
        },
        limits,
      );
  }
}

/** The tariffs the entry names, or every one the protocol has, named T1, T2… */
function tariffsOf(meter: MeterEntry, count: number): { tariff: number; name: string }[] {
  if (meter.tariffs !== undefined) {
    return Object.entries(meter.tariffs)
      .map(([tariff, name]) => ({ tariff: Number(tariff), name }))
      .sort((a, b) => a.tariff - b.tariff);
  }
  return Array.from({ length: count }, (_, i) => ({ tariff: i + 1, name: `T${String(i + 1)}` }));
}

function describe(error: unknown): string {
  if (
    error instanceof LinkError ||
    error instanceof MercuryFrameError ||
    error instanceof ReadoutError ||
    error instanceof DlmsError
  ) {
    return error.message;
  }
  // Anything else is a bug in the agent, not a fault of the meter: say so.
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}
