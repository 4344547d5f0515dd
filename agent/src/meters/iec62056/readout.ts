/**
 * IEC 62056-21 (formerly IEC 61107) mode C data readout, as messages: pure, no I/O.
 *
 *   agent → meter  request          /?<device address>!CR LF
 *   meter → agent  identification   /XXXZ<identification>CR LF   (XXX maker, Z baud rate)
 *   agent → meter  acknowledgement  ACK 0 Z 0 CR LF               (option 0: data readout)
 *   meter → agent  data message     STX <data lines> ! CR LF ETX BCC
 *
 * BCC is the XOR of every byte after STX up to and including ETX [IEC 62056-21, block check character].
 * A data line holds data sets `address(value*unit)`; the address is an OBIS code,
 * written in full (`1-0:1.8.0*255`) or reduced (`1.8.0`) [IEC 62056-61].
 */

export const SOH = 0x01;
export const STX = 0x02;
export const ETX = 0x03;
export const ACK = 0x06;
export const NAK = 0x15;

/** The identification line is 5 + up to 16 characters, with `\W` escapes: generous. */
export const MAX_IDENTIFICATION_BYTES = 128;

export class ReadoutError extends Error {
  constructor(
    readonly reason: 'identification' | 'bcc' | 'framing' | 'value',
    message: string,
  ) {
    super(message);
    this.name = 'ReadoutError';
  }
}

/** XOR of the bytes: the block check character. */
export function blockCheck(bytes: Uint8Array): number {
  let bcc = 0;
  for (const byte of bytes) {
    bcc ^= byte;
  }
  return bcc;
}

/** The request message; the device address picks one meter on a shared bus (max 32 characters). */
export function requestMessage(deviceAddress = ''): Buffer {
  if (!/^[0-9A-Za-z ]{0,32}$/.test(deviceAddress)) {
    throw new RangeError('an IEC 62056-21 device address is up to 32 letters, digits or spaces');
  }
  return Buffer.from(`/?${deviceAddress}!\r\n`, 'latin1');
}

export interface Identification {
  /** Three letters, the maker's FLAG id (EMH, ISK, LGZ…); lower case third: 20 ms reaction. */
  readonly manufacturer: string;
  /** The baud rate character the meter offers: 0–6 in mode C. */
  readonly baudRate: string;
  readonly identification: string;
}

/** Whether the identification line has arrived: it ends with CR LF. */
export function identificationComplete(received: Uint8Array): boolean {
  return received.includes(0x0a);
}

export function parseIdentification(line: Uint8Array): Identification {
  const text = Buffer.from(line).toString('latin1');
  // Line noise or a stale reply may precede the '/'; some meters end the line with LF alone.
  const start = Math.max(0, text.indexOf('/'));
  const match = /^\/([A-Za-z]{3})([0-9A-Z])([^\r\n]{0,96})\r?\n/.exec(text.slice(start));
  if (!match) {
    throw new ReadoutError(
      'identification',
      `not an identification message: ${JSON.stringify(text.slice(0, 40))}`,
    );
  }
  const [, manufacturer = '', baudRate = '', identification = ''] = match;
  if (!/^[0-6]$/.test(baudRate)) {
    throw new ReadoutError(
      'identification',
      `baud rate character ${JSON.stringify(baudRate)} is not mode C (0–6): the meter speaks mode A or B`,
    );
  }
  return { manufacturer, baudRate, identification };
}

/** NAK: the message came garbled, send it again [IEC 62056-21, mode C]. */
export function repeatRequest(): Buffer {
  return Buffer.of(NAK);
}

/** ACK 0 Z 0 CR LF: normal protocol, the meter's baud rate, option 0 = data readout. */
export function acknowledgement(baudRate: string): Buffer {
  return Buffer.from(`\u00060${baudRate}0\r\n`, 'latin1');
}

/**
 * A watcher of one data message as it arrives: true once STX … ETX and the BCC byte after
 * it are in. It looks at each byte once, so a reply trickling in a byte at a time costs
 * time linear in its length, not quadratic.
 */
export function dataMessageWatcher(): (received: Uint8Array) => boolean {
  let stx = -1;
  let etx = -1;
  let scanned = 0;
  return (received) => {
    if (stx < 0) {
      stx = received.indexOf(STX, scanned);
      if (stx < 0) {
        scanned = received.length;
        return false;
      }
      scanned = stx + 1;
    }
    if (etx < 0) {
      etx = received.indexOf(ETX, scanned);
      if (etx < 0) {
        scanned = received.length;
        return false;
      }
    }
    return received.length > etx + 1;
  };
}

/** The data block of a whole data message, its BCC checked. */
export function dataBlockOf(message: Uint8Array): string {
  const stx = message.indexOf(STX);
  const etx = stx < 0 ? -1 : message.indexOf(ETX, stx + 1);
  if (stx < 0 || etx < 0 || message.length < etx + 2) {
    throw new ReadoutError('framing', 'the data message has no STX … ETX BCC frame');
  }
  const sent = message[etx + 1] ?? 0;
  const computed = blockCheck(message.subarray(stx + 1, etx + 1));
  if (sent !== computed) {
    throw new ReadoutError(
      'bcc',
      `data message BCC ${hex(sent)} does not match its bytes (${hex(computed)}): garbled on the line`,
    );
  }
  const block = Buffer.from(message.subarray(stx + 1, etx)).toString('latin1');
  // The data block ends with '!' CR LF; a block without it was cut short by the meter.
  if (!block.endsWith('!\r\n')) {
    throw new ReadoutError(
      'framing',
      'the data block does not end with "!" CR LF: the readout is incomplete',
    );
  }
  return block.slice(0, -3);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

export interface DataSet {
  /** The address as sent. */
  readonly address: string;
  /** C.D.E of the OBIS code (`1.8.0`, `C.1.0`); the medium and channel and a current F dropped. */
  readonly code: string;
  /** F: the billing period (historical values), or undefined for the current value. */
  readonly period?: string;
  readonly value: string;
  readonly unit?: string;
}

// address ( value [* unit] ): the address is optional after the first set of a line.
const DATA_SET = /([^()\r\n]*)\(([^()*]*)(?:\*([^()]*))?\)/g;

/** Every data set of a data block, in order. */
export function parseDataBlock(block: string): DataSet[] {
  const sets: DataSet[] = [];
  for (const line of block.split(/\r?\n/)) {
    for (const [, rawAddress = '', value = '', unit] of line.matchAll(DATA_SET)) {
      const address = rawAddress.trim();
      // A set without an address is a further value of the one before (a time stamp, a
      // maximum's time): not a figure of its own.
      if (address === '') {
        continue;
      }
      const { code, period } = reduceObis(address);
      sets.push({
        address,
        code,
        ...(period !== undefined && { period }),
        value: value.trim(),
        ...(unit !== undefined && unit.trim() !== '' && { unit: unit.trim() }),
      });
    }
  }
  return sets;
}

/** `1-0:1.8.0*255` → 1.8.0 (current); `1.8.0*12` or `1.8.0&12` → 1.8.0 of billing period 12. */
export function reduceObis(address: string): { code: string; period?: string } {
  const withoutMedium = address.includes(':') ? address.slice(address.lastIndexOf(':') + 1) : address;
  const [code = '', period] = withoutMedium.split(/[*&]/);
  return period === undefined || period === '255' ? { code } : { code, period };
}

const ENERGY_UNITS: Readonly<Record<string, number>> = { wh: 1, kwh: 1_000, mwh: 1_000_000 };
const POWER_UNITS: Readonly<Record<string, number>> = { w: 1, kw: 1_000, mw: 1_000_000 };

export interface Readout {
  readonly energyWh: number;
  readonly tariffWh: ReadonlyMap<number, number>;
  readonly powerW: number;
  readonly serial?: string;
}

export interface UnitsWhenMissing {
  readonly energy?: 'kWh' | 'Wh';
  readonly power?: 'kW' | 'W';
}

/**
 * The figures a farm needs from a readout: active import energy, total (1.8.0) and per
 * tariff (1.8.1–1.8.9); instantaneous active power (1.7.0, else 16.7.0, else 15.7.0);
 * the serial (C.1.0, else 0.0.0, else 96.1.0). A total the meter leaves out is the sum of
 * its tariffs, as 1.8.0 is defined. Values of past billing periods are not current figures
 * and are skipped. Units are normalised to Wh and W; a value without a unit is refused
 * unless the meter's settings say which unit it means.
 */
export function figuresOf(sets: readonly DataSet[], missing: UnitsWhenMissing = {}): Readout {
  const current = new Map<string, DataSet>();
  for (const set of sets) {
    if (set.period === undefined && !current.has(set.code)) {
      current.set(set.code, set);
    }
  }
  const tariffWh = new Map<number, number>();
  for (let tariff = 1; tariff <= 9; tariff++) {
    const set = current.get(`1.8.${String(tariff)}`);
    if (set) {
      tariffWh.set(tariff, scaled(set, ENERGY_UNITS, missing.energy, 'energy'));
    }
  }
  const total = current.get('1.8.0');
  const energyWh = total
    ? scaled(total, ENERGY_UNITS, missing.energy, 'energy')
    : tariffWh.size > 0
      ? [...tariffWh.values()].reduce((sum, wh) => sum + wh, 0)
      : undefined;
  if (energyWh === undefined) {
    throw new ReadoutError('value', 'the readout has no active import energy (1.8.0 or 1.8.1–1.8.9)');
  }
  if (energyWh < 0) {
    throw new ReadoutError('value', `the active import energy total is negative (${String(energyWh)} Wh)`);
  }
  const power = current.get('1.7.0') ?? current.get('16.7.0') ?? current.get('15.7.0');
  if (!power) {
    throw new ReadoutError(
      'value',
      'the readout has no instantaneous active power (1.7.0, 16.7.0 or 15.7.0)',
    );
  }
  const serial = [current.get('C.1.0'), current.get('0.0.0'), current.get('96.1.0')].find(
    (set) => set !== undefined && set.value !== '',
  )?.value;
  return {
    energyWh,
    tariffWh,
    powerW: scaled(power, POWER_UNITS, missing.power, 'power'),
    ...(serial !== undefined && { serial }),
  };
}

function scaled(
  set: DataSet,
  units: Readonly<Record<string, number>>,
  assumed: string | undefined,
  what: string,
): number {
  if (!/^[+-]?\d+(?:[.,]\d+)?$/.test(set.value)) {
    throw new ReadoutError('value', `${set.address}(${set.value}) is not a number`);
  }
  const value = Number(set.value.replace(',', '.'));
  const unit = set.unit ?? assumed;
  if (unit === undefined) {
    throw new ReadoutError(
      'value',
      `${set.address}(${set.value}) has no unit; set the meter's units setting to say which ${what} unit it sends`,
    );
  }
  const factor = units[unit.toLowerCase()];
  if (factor === undefined) {
    throw new ReadoutError(
      'value',
      `${set.address} is in ${unit}, not a unit of ${what} (${Object.keys(units).join(', ')})`,
    );
  }
  const scaledValue = value * factor;
  // 400 nines is a valid number to the pattern and Infinity to JSON: null in the upload.
  if (!Number.isFinite(scaledValue)) {
    throw new ReadoutError('value', `${set.address} holds a number too large to be a reading`);
  }
  return scaledValue;
}
