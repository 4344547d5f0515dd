import { GatewayLink } from '../gateway-link.ts';
import type { MeterReading, ReadLimits } from '../meter-reading.ts';
import {
  aarq,
  type AttributeReference,
  formatObis,
  getRequest,
  parseAare,
  parseGetResponse,
  RLRQ,
} from './apdu.ts';
import { type CosemData, DATA_TAG, describeData, numberOf } from './axdr.ts';
import { DlmsError } from './dlms-error.ts';
import { type HdlcAddressing, openHdlc } from './hdlc-link.ts';
import { wrapperTransport } from './transport.ts';

/**
 * Reads a DLMS/COSEM meter over TCP: through the IEC 62056-47 wrapper (port 4059: the
 * meter's own GPRS or Ethernet module, or a gateway that terminates it), or over HDLC
 * (IEC 62056-46) through a gateway that passes the RS-485 or optical line's frames.
 * Associates with logical name referencing at the lowest level of security (a password,
 * or none for the public client), GETs the registers' values and scaler_units, and
 * releases the association.
 */

export interface DlmsSettings extends HdlcAddressing {
  readonly transport: 'wrapper' | 'hdlc';
  readonly host: string;
  readonly port: number;
  /** The LLS secret; undefined: no authentication (the public client). */
  readonly password: Buffer | undefined;
  /** Tariff registers 1.0.1.8.t.255 to keep, each with the name readings carry. */
  readonly tariffs: readonly { readonly tariff: number; readonly name: string }[];
  readonly transformerRatio: number;
}

/** COSEM units (Blue Book, enum of scaler_unit) that the registers read here must carry. */
const UNIT_WATT = 27;
const UNIT_WATT_HOUR = 30;

const REGISTER_CLASS = 3;
const DATA_CLASS = 1;
const activeEnergyImport = (tariff: number): number[] => [1, 0, 1, 8, tariff, 255];
const ACTIVE_POWER_IMPORT = [1, 0, 1, 7, 0, 255];
/** Device ID 1, the manufacturing number (0-0:C.1.0). */
const SERIAL_NUMBER = [0, 0, 96, 1, 0, 255];

export async function readDlms(settings: DlmsSettings, limits: ReadLimits): Promise<MeterReading> {
  const deadline = Date.now() + limits.timeoutMs;
  const link = await GatewayLink.open(settings, limits.connectTimeoutMs);
  try {
    return await readOver(link, settings, deadline);
  } finally {
    link.close();
  }
}

async function readOver(link: GatewayLink, settings: DlmsSettings, deadline: number): Promise<MeterReading> {
  const transport =
    settings.transport === 'hdlc'
      ? await openHdlc(link, settings, deadline)
      : wrapperTransport(link, settings);
  let invokeId = 0;
  const ask = (step: string, apdu: Buffer): Promise<Buffer> => transport.request(step, apdu, deadline);
  const get = async (reference: AttributeReference): Promise<CosemData | undefined> => {
    const name = `${formatObis(reference.obis)} attribute ${String(reference.attribute)}`;
    invokeId = (invokeId + 1) % 16;
    try {
      const result = parseGetResponse(invokeId, await ask(`GET ${name}`, getRequest(invokeId, reference)));
      if (result.ok) {
        return result.data;
      }
      // A register the meter does not have is absent; any other refusal is a failed read.
      if (result.result === 4) {
        return undefined;
      }
      throw new DlmsError('access', `the meter refused it: ${result.meaning}`);
    } catch (error) {
      throw error instanceof DlmsError ? new DlmsError(error.reason, `GET ${name}: ${error.message}`) : error;
    }
  };
  const register = async (obis: number[], unit: number, what: string): Promise<number | undefined> => {
    const value = await get({ classId: REGISTER_CLASS, obis, attribute: 2 });
    if (value === undefined) {
      return undefined;
    }
    const scalerUnit = await get({ classId: REGISTER_CLASS, obis, attribute: 3 });
    if (scalerUnit === undefined) {
      throw new DlmsError('value', `${what} (${formatObis(obis)}) has a value but no scaler_unit`);
    }
    return scaled(numberOf(value, what), scalerUnit, unit, `${what} (${formatObis(obis)})`);
  };
  try {
    parseAare(await ask('the association (AARQ)', aarq(settings.password)));
  } catch (error) {
    throw error instanceof DlmsError
      ? new DlmsError(error.reason, `the association: ${error.message}`)
      : error;
  }
  const energyWh = await register(activeEnergyImport(0), UNIT_WATT_HOUR, 'active energy import');
  if (energyWh === undefined) {
    throw new DlmsError(
      'access',
      'the meter has no active energy import total (1.0.1.8.0.255: object undefined)',
    );
  }
  const tariffEnergyWh: Record<string, number> = {};
  for (const { tariff, name } of settings.tariffs) {
    const wh = await register(activeEnergyImport(tariff), UNIT_WATT_HOUR, `tariff ${String(tariff)} energy`);
    if (wh !== undefined) {
      tariffEnergyWh[name] = wh * settings.transformerRatio;
    }
  }
  const powerW = await register(ACTIVE_POWER_IMPORT, UNIT_WATT, 'active power');
  if (powerW === undefined) {
    throw new DlmsError(
      'access',
      'the meter has no instantaneous active power (1.0.1.7.0.255: object undefined)',
    );
  }
  // The serial only checks the configuration: a meter that keeps it from this client still gives its figures.
  const serial = serialOf(
    await get({ classId: DATA_CLASS, obis: SERIAL_NUMBER, attribute: 2 }).catch((error: unknown) => {
      if (error instanceof DlmsError && error.reason === 'access') {
        return undefined;
      }
      throw error;
    }),
  );
  // Polite, not needed: the meter drops the association with the link anyway.
  await ask('the release (RLRQ)', RLRQ).catch(() => undefined);
  await transport.release(deadline).catch(() => undefined);
  return {
    energyWh: energyWh * settings.transformerRatio,
    powerW: powerW * settings.transformerRatio,
    ...(settings.tariffs.length > 0 && { tariffEnergyWh }),
    ...(serial !== undefined && { serial }),
  };
}

/** value × 10^scaler, with the unit the register must have. */
function scaled(value: number, scalerUnit: CosemData, unit: number, what: string): number {
  const [scaler, unitData] = scalerUnit.type === 'sequence' ? scalerUnit.items : [];
  if (
    scalerUnit.type !== 'sequence' ||
    scalerUnit.tag !== DATA_TAG.structure ||
    scalerUnit.items.length !== 2 ||
    scaler?.type !== 'integer' ||
    scaler.tag !== DATA_TAG.integer ||
    unitData?.type !== 'integer' ||
    unitData.tag !== DATA_TAG.enum
  ) {
    throw new DlmsError(
      'value',
      `${what}: the scaler_unit is ${describeData(scalerUnit)}, not {integer, enum}`,
    );
  }
  if (Number(unitData.value) !== unit) {
    throw new DlmsError(
      'value',
      `${what} is in COSEM unit ${unitData.value.toString()}, not ${String(unit)} (${unit === UNIT_WATT ? 'W' : 'Wh'})`,
    );
  }
  const exponent = Number(scaler.value);
  // Dividing by a power of ten keeps 12345 × 10^-1 at 1234.5 where multiplying by 0.1 would not.
  return exponent < 0 ? value / 10 ** -exponent : value * 10 ** exponent;
}

function serialOf(data: CosemData | undefined): string | undefined {
  if (data === undefined) {
    return undefined;
  }
  if (data.type === 'octets' && data.tag !== DATA_TAG.bitString) {
    const text = data.value.toString('latin1');
    if (/^[\x20-\x7e]{1,64}$/.test(text)) {
      return text.trim();
    }
  }
  if (data.type === 'integer' && data.tag !== DATA_TAG.enum) {
    return data.value.toString();
  }
  throw new DlmsError(
    'value',
    `the serial number (0.0.96.1.0.255) is ${describeData(data)}, not printable text`,
  );
}
