import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  crc16X25,
  decodeFrame,
  describeControl,
  encodeFrame,
  frameComplete,
  serverAddress,
} from './hdlc-frame.ts';

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');

describe('HDLC frames (IEC 62056-46)', () => {
  it('checks frames with CRC-16/X-25, whose published check value over "123456789" is 0x906E', () => {
    // source: the CRC RevEng catalogue, CRC-16/IBM-SDLC (alias CRC-16/X-25): check=0x906e
    expect(crc16X25(Buffer.from('123456789', 'latin1'))).toBe(0x906e);
  });

  it('writes an SNRM to a 4-byte server address byte for byte as a published capture', () => {
    // source: a public DLMS HDLC example, "SNRM (connection) example without any parameter
    // negotiation": 7EA00A00020023F193232E7E, server upper 1 / lower 17, client 120.
    const snrm = hex('7E A0 0A 00 02 00 23 F1 93 23 2E 7E');
    expect(
      encodeFrame({
        segmented: false,
        destination: serverAddress(1, 17, 4),
        source: clientAddress(120),
        control: 0x93,
        info: Buffer.alloc(0),
      }),
    ).toEqual(snrm);
    expect(decodeFrame(snrm)).toEqual({
      segmented: false,
      destination: hex('00 02 00 23'),
      source: hex('F1'),
      control: 0x93,
      info: Buffer.alloc(0),
    });
  });

  it('reads a frame with an information field, its HCS and FCS, as a published example', () => {
    // source: https://docs.rs/crate/hdlcparse/2.0.0 (the crate's example frame, closing flag added).
    const frame = hex(
      '7E A0 20 76 54 AE 1B 46 A9 13 2F 2F E6 E6 00 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 4E 66 7E',
    );
    expect(frameComplete(frame.subarray(0, 20), 64)).toBe(false);
    expect(frameComplete(frame, 64)).toBe(true);
    expect(decodeFrame(frame)).toMatchObject({
      destination: hex('76 54 AE 1B'),
      source: hex('46 A9'),
      control: 0x13,
    });
    expect(decodeFrame(frame).info.subarray(0, 4)).toEqual(hex('E6 E6 00 00'));
  });

  it('writes one-, two- and four-byte server addresses with the extension bit on the last byte only', () => {
    expect(serverAddress(1, undefined, 1)).toEqual(hex('03'));
    expect(serverAddress(1, 17, 2)).toEqual(hex('02 23'));
    expect(serverAddress(0x1daa, 0x2b8d, 4)).toEqual(hex('76 54 AE 1B'));
    expect(clientAddress(16)).toEqual(hex('21'));
  });

  it('segments: the S bit rides in the format field, and round-trips', () => {
    const frame = encodeFrame({
      segmented: true,
      destination: hex('21'),
      source: hex('03'),
      control: 0x30,
      info: Buffer.from('e6e700c401', 'hex'),
    });
    expect(frame.subarray(1, 3)).toEqual(hex('A8 0E'));
    expect(decodeFrame(frame)).toMatchObject({ segmented: true, control: 0x30, info: hex('e6e700c401') });
  });

  it('refuses a frame corrupted in its header or its body, and says which check failed', () => {
    const frame = encodeFrame({
      segmented: false,
      destination: hex('21'),
      source: hex('03'),
      control: 0x10,
      info: hex('e6 e7 00 c4 01 c1 00'),
    });
    const badHcs = Buffer.from(frame);
    badHcs.writeUInt8(badHcs.readUInt8(6) ^ 0xff, 6);
    // Both checks cover the header: a flipped HCS breaks the FCS first; fix the FCS to reach the HCS.
    const body = badHcs.subarray(1, -3);
    badHcs.writeUInt16LE(crc16X25(body), badHcs.length - 3);
    expect(() => decodeFrame(badHcs)).toThrow(/header check sequence [0-9a-f]+, the header gives [0-9a-f]+/);
    const badFcs = Buffer.from(frame);
    badFcs.writeUInt8(badFcs.readUInt8(10) ^ 0x01, 10);
    expect(() => decodeFrame(badFcs)).toThrow(/frame check sequence [0-9a-f]+, the frame's bytes give/);
  });

  it('refuses a reply that is no HDLC frame as soon as its first bytes show it', () => {
    expect(() => frameComplete(Buffer.from('HTTP/1.1', 'latin1'), 64)).toThrow(/not the HDLC flag 7e/);
    expect(() => frameComplete(hex('7E 10 20'), 64)).toThrow(/frame format type 1, not 3/);
    expect(() => frameComplete(hex('7E A7 FF'), 64)).toThrow(/a 2047-byte frame announced, over the 62/);
    expect(() => decodeFrame(hex('7E A0 05 03 21 7E 7E'))).toThrow(/too short/);
  });

  it('names control fields in errors', () => {
    expect(describeControl(0x1f)).toBe('DM (disconnected mode)');
    expect(describeControl(0x97)).toBe('FRMR (frame reject)');
    expect(describeControl(0x51)).toBe('RR (N(R) 2)');
    expect(describeControl(0x32)).toBe('an I frame (N(S) 1, N(R) 1)');
  });
});
