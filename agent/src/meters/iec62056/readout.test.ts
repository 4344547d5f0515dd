import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  acknowledgement,
  blockCheck,
  dataBlockOf,
  dataMessageWatcher,
  ETX,
  figuresOf,
  parseDataBlock,
  parseIdentification,
  reduceObis,
  requestMessage,
  SOH,
  STX,
} from './readout.ts';

const fixtures = new URL('../../../test/fixtures/meters/', import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const latin1 = (text: string): Buffer => Buffer.from(text, 'latin1');

const emh = load('iec62056-21__emh_em4tii__readout.json') as {
  identification: string;
  acknowledgement: string;
  dataMessage: string;
};

describe('block check character', () => {
  it("is the XOR from after SOH or STX through ETX, on the pwitab/iec62056-21 library's vectors", () => {
    const { vectors } = load('iec62056-21__pwitab__bcc.json') as {
      vectors: { message?: string; hex?: string }[];
    };
    for (const vector of vectors) {
      const message =
        vector.hex === undefined ? latin1(vector.message ?? '') : Buffer.from(vector.hex, 'hex');
      expect([SOH, STX]).toContain(message[0]);
      const etx = message.lastIndexOf(ETX);
      expect(blockCheck(message.subarray(1, etx + 1))).toBe(message[etx + 1]);
    }
  });

  it("holds over an EMH meter's published readout (BCC '+')", () => {
    expect(dataBlockOf(latin1(emh.dataMessage))).toMatch(/^1-0:1\.8\.0\*255\(000000000\.0\*kWh\)\r\n/);
  });

  it('catches one flipped bit, and a block cut before its "!"', () => {
    const garbled = latin1(emh.dataMessage);
    garbled[10] = (garbled[10] ?? 0) ^ 0x04;
    expect(() => dataBlockOf(garbled)).toThrow(/BCC 0x2b does not match its bytes/);
    const cut = `\u00021.8.0(1*kWh)\r\n\u0003`;
    const withBcc = latin1(`${cut}${String.fromCharCode(blockCheck(latin1(cut.slice(1))))}`);
    expect(() => dataBlockOf(withBcc)).toThrow(/does not end with "!"/);
  });
});

describe('mode C messages', () => {
  it('build the request and the acknowledgement for a data readout', () => {
    expect(requestMessage().toString('latin1')).toBe('/?!\r\n');
    expect(requestMessage('45678903').toString('latin1')).toBe('/?45678903!\r\n');
    expect(() => requestMessage('12!/')).toThrow(/up to 32 letters/);
    expect(acknowledgement('5').toString('latin1')).toBe(emh.acknowledgement);
  });

  it('read the identification, escapes and all, and refuse one that is not mode C', () => {
    expect(parseIdentification(latin1(emh.identification))).toEqual({
      manufacturer: 'EMH',
      baudRate: '5',
      identification: '\\@D4EM4TIIW001--',
    });
    expect(parseIdentification(latin1('\u0000/ISK5ME382-1003\r\n')).manufacturer).toBe('ISK');
    expect(parseIdentification(latin1('/ABC4MK-7\n\u0002')).identification).toBe('MK-7');
    expect(() => parseIdentification(latin1('/LGZC\\2ZMD\r\n'))).toThrow(/not mode C/);
    expect(() => parseIdentification(latin1('garbage\r\n'))).toThrow(/not an identification message/);
  });

  it('know when the data message is whole: STX … ETX and the BCC', () => {
    const message = latin1(emh.dataMessage);
    // Noise before STX, an ETX in it, then the message a byte at a time.
    const arriving = Buffer.concat([Buffer.of(0x00, ETX), message]);
    const complete = dataMessageWatcher();
    for (let length = 0; length < arriving.length; length++) {
      expect(complete(arriving.subarray(0, length))).toBe(false);
    }
    expect(complete(arriving)).toBe(true);
    expect(dataBlockOf(arriving)).toMatch(/^1-0:1\.8\.0/);
  });
});

describe('data sets', () => {
  it('reduce OBIS codes with and without the medium, and tell the current value from a billing period', () => {
    expect(reduceObis('1-0:1.8.0*255')).toEqual({ code: '1.8.0' });
    expect(reduceObis('1.8.0')).toEqual({ code: '1.8.0' });
    expect(reduceObis('1.8.0*12')).toEqual({ code: '1.8.0', period: '12' });
    expect(reduceObis('1.8.1&03')).toEqual({ code: '1.8.1', period: '03' });
  });

  it("read the EMH readout's figures: serial from C.1.0, energy 0 kWh; no power in it is an error", () => {
    const sets = parseDataBlock(dataBlockOf(latin1(emh.dataMessage)));
    expect(sets.find((set) => set.code === 'C.1.0')?.value).toBe('03878504');
    expect(sets.filter((set) => set.code === '0.2.1').map((set) => set.period)).toEqual(['1', '50']);
    expect(() => figuresOf(sets)).toThrow(/no instantaneous active power \(1\.7\.0, 16\.7\.0 or 15\.7\.0\)/);
  });

  it('normalise kWh, Wh, MWh, kW and W; sum the tariffs when 1.8.0 is missing', () => {
    const figures = figuresOf(
      parseDataBlock(
        '0.0.0(1234)\r\n1.8.1(000100.500*kWh)\r\n1.8.2(2000*Wh)\r\n16.7.0(1.5*KW)\r\n1.8.0*01(7*kWh)',
      ),
    );
    expect(figures).toEqual({
      energyWh: 102_500,
      tariffWh: new Map([
        [1, 100_500],
        [2, 2_000],
      ]),
      powerW: 1_500,
      serial: '1234',
    });
    expect(figuresOf(parseDataBlock('1.8.0(0.25*MWh)1.7.0(1500*W)')).energyWh).toBe(250_000);
  });

  it('refuse values without a unit unless told, units of the wrong kind, and non-numbers', () => {
    expect(() => figuresOf(parseDataBlock('1.8.0(000123.4)\r\n1.7.0(1.0*kW)'))).toThrow(
      /1\.8\.0\(000123\.4\) has no unit/,
    );
    expect(figuresOf(parseDataBlock('1.8.0(000123.4)\r\n1.7.0(1.0*kW)'), { energy: 'kWh' }).energyWh).toBe(
      123_400,
    );
    expect(() => figuresOf(parseDataBlock('1.8.0(1*kvarh)\r\n1.7.0(1*kW)'))).toThrow(
      /in kvarh, not a unit of energy/,
    );
    expect(() => figuresOf(parseDataBlock('1.8.0(ERR*kWh)\r\n1.7.0(1*kW)'))).toThrow(/is not a number/);
    expect(() => figuresOf(parseDataBlock('2.8.0(1*kWh)\r\n1.7.0(1*kW)'))).toThrow(/no active import energy/);
    expect(() => figuresOf(parseDataBlock(`1.8.0(${'9'.repeat(400)}*kWh)\r\n1.7.0(1*kW)`))).toThrow(
      /1\.8\.0 holds a number too large to be a reading/,
    );
  });
});
