import { describe, expect, it } from 'vitest';
import { aarq, getRequest, parseAare, parseGetResponse, unwrap, wrap, wrappedComplete } from './apdu.ts';
import { decodeData, numberOf } from './axdr.ts';

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');

describe('DLMS/COSEM APDUs', () => {
  it('writes the AARQ for LLS as the Green Book lays it out: context, requirements, mechanism, password, InitiateRequest', () => {
    expect(aarq(Buffer.from('12345678')).toString('hex')).toBe(
      hex(
        '60 36 a1 09 06 07 60 85 74 05 08 01 01 8a 02 07 80 8b 07 60 85 74 05 08 02 01' +
          ' ac 0a 80 08 31 32 33 34 35 36 37 38 be 10 04 0e 01 00 00 00 06 5f 1f 04 00 00 00 10 04 00',
      ).toString('hex'),
    );
    // Without a password: no authentication fields at all.
    expect(aarq(undefined).subarray(0, 15).toString('hex')).toBe('601da109060760857405080101be10');
  });

  it('writes GET-Request-Normal: class, logical name, attribute, no selective access', () => {
    expect(getRequest(1, { classId: 3, obis: [1, 0, 1, 8, 0, 255], attribute: 2 }).toString('hex')).toBe(
      'c001c100030100010800ff0200',
    );
  });

  it('reads an accepted AARE and the meter max PDU size, and a refusal with its diagnostic', () => {
    const accepted = hex(
      '61 29 a1 09 06 07 60 85 74 05 08 01 01 a2 03 02 01 00 a3 05 a1 03 02 01 00' +
        ' be 10 04 0e 08 00 06 5f 1f 04 00 00 50 1f 01 f4 00 07',
    );
    expect(parseAare(accepted)).toEqual({ serverMaxPduBytes: 500 });
    const refused = hex('61 17 a1 09 06 07 60 85 74 05 08 01 01 a2 03 02 01 01 a3 05 a1 03 02 01 0d');
    expect(() => parseAare(refused)).toThrow(
      /refused the association \(permanently\): authentication failure/,
    );
    // An AARE that grants no GET is no use to a reader.
    const noGet = Buffer.from(accepted);
    noGet[noGet.length - 5] = 0x0f;
    expect(() => parseAare(noGet)).toThrow(/does not grant GET/);
  });

  it('bounds the wrapper: a whole frame, an oversized announcement, a frame for another client', () => {
    const frame = wrap({ client: 16, server: 1 }, hex('c4 01 c1 00 06 00 00 30 39'));
    expect(frame.subarray(0, 8).toString('hex')).toBe('0001001000010009');
    expect(wrappedComplete(frame.subarray(0, 12))).toBe(false);
    // The reply comes from the server's wPort to the client's.
    const reply = wrap({ client: 1, server: 16 }, hex('c4 01 c1 00 06 00 00 30 39'));
    expect(wrappedComplete(reply)).toBe(true);
    expect(parseGetResponse(1, unwrap({ client: 16, server: 1 }, reply))).toEqual({
      ok: true,
      data: { type: 'integer', tag: 6, value: 12_345n },
    });
    expect(() => unwrap({ client: 32, server: 1 }, reply)).toThrow(/not from 1 to 32/);
    expect(() => wrappedComplete(hex('0001 0001 0010 0401'))).toThrow(/1025-byte APDU, over the 1024/);
  });

  it('decodes A-XDR data and refuses what a register never holds', () => {
    expect(decodeData(hex('02 02 0f fd 16 1e'))).toEqual({
      type: 'sequence',
      tag: 2,
      items: [
        { type: 'integer', tag: 0x0f, value: -3n },
        { type: 'integer', tag: 0x16, value: 30n },
      ],
    });
    expect(numberOf(decodeData(hex('05 ff ff ff fe')), 'power')).toBe(-2);
    expect(() => numberOf(decodeData(hex('15 ff ff ff ff ff ff ff ff')), 'energy')).toThrow(
      /beyond what is counted exactly/,
    );
    expect(() => decodeData(hex('09 05 41 42'))).toThrow(/5 bytes announced, 2 left/);
    expect(() => decodeData(hex('01 01 01 01 01 01 01 01 01 01 01 01 00'))).toThrow(/nested deeper/);
    expect(() => decodeData(hex('19 00'))).toThrow(/data type 0x19 is not one a register holds/);
    expect(() => parseGetResponse(1, hex('c4 01 c1 01 04 00'))).toThrow(/1 bytes after the access result/);
    expect(parseGetResponse(1, hex('c4 01 c1 01 04'))).toEqual({
      ok: false,
      result: 4,
      meaning: 'object undefined',
    });
  });
});
