import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Codec } from './binary.ts';
import { FrameDecoder, readFrameHeader, type FrameHeader } from './framing.ts';
import { decodeMessage, encodeFrame, encodePayload, headerFor, isMessage } from './message-codec.ts';
import { MESSAGE_SPECS, type MessageName, type Sv2Message } from './message-table.ts';

interface MessageFixture {
  id: string;
  source: string;
  message: Record<string, unknown> & { type: MessageName };
  header_hex?: string;
  payload_hex: string;
}

const fixtures = (
  JSON.parse(readFileSync(new URL('../../../test/fixtures/sv2/messages.json', import.meta.url), 'utf8')) as {
    messages: MessageFixture[];
  }
).messages;

const NAMES = Object.keys(MESSAGE_SPECS) as MessageName[];
const BYTE_TYPES = /^(U256|PUBKEY|SIGNATURE|B0_)/;

/** The fixture's JSON fields as typed values: hex strings for byte fields. */
function fromFixture(fixture: MessageFixture): Sv2Message {
  const message: Record<string, unknown> = { type: fixture.message.type };
  for (const [name, codec] of MESSAGE_SPECS[fixture.message.type].fields) {
    const value = fixture.message[name];
    message[name] = BYTE_TYPES.test(codec.name) ? Buffer.from(value as string, 'hex') : value;
  }
  return message as Sv2Message;
}

function bytes(min: number, max: number): fc.Arbitrary<Buffer> {
  return fc.uint8Array({ minLength: min, maxLength: max }).map((array) => Buffer.from(array));
}

/** A generator for values of a type, from its spec name; sizes kept small but reaching the B0_32 bound. */
function arbitraryFor(codec: Codec<unknown>): fc.Arbitrary<unknown> {
  return arbitraryByName(codec.name);
}

function arbitraryByName(name: string): fc.Arbitrary<unknown> {
  const nested = /^(SEQ0_255|SEQ0_64K|OPTION)\[(.+)\]$/.exec(name);
  if (nested) {
    const element = arbitraryByName(nested[2] as string);
    return nested[1] === 'OPTION' ? fc.option(element, { nil: null }) : fc.array(element, { maxLength: 8 });
  }
  const simple: Record<string, fc.Arbitrary<unknown>> = {
    BOOL: fc.boolean(),
    U8: fc.integer({ min: 0, max: 0xff }),
    U16: fc.integer({ min: 0, max: 0xffff }),
    U24: fc.integer({ min: 0, max: 0xffffff }),
    U32: fc.integer({ min: 0, max: 0xffffffff }),
    U64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    F32: fc.float({ noNaN: true }),
    U256: bytes(32, 32),
    PUBKEY: bytes(32, 32),
    SIGNATURE: bytes(64, 64),
    STR0_255: fc.string({ unit: 'grapheme', maxLength: 40 }).filter((text) => Buffer.byteLength(text) <= 255),
    B0_32: bytes(0, 32),
    B0_255: bytes(0, 64),
    B0_64K: bytes(0, 64),
    B0_16M: bytes(0, 64),
  };
  const arbitrary = simple[name];
  if (!arbitrary) {
    throw new Error(`no generator for ${name}`);
  }
  return arbitrary;
}

function arbitraryMessage(type: MessageName): fc.Arbitrary<Sv2Message> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, codec] of MESSAGE_SPECS[type].fields) {
    fields[name] = arbitraryFor(codec);
  }
  return fc.record(fields).map((values) => ({ type, ...values }) as Sv2Message);
}

const anyMessage = fc.constantFrom(...NAMES).chain(arbitraryMessage);

describe('published encodings', () => {
  it.each(fixtures)('$id', (fixture) => {
    const message = fromFixture(fixture);
    const payload = encodePayload(message);
    expect(payload.toString('hex')).toBe(fixture.payload_hex);
    // An F32 comes back as the binary32 the wire carries (12.3 -> Math.fround(12.3)).
    const carried = Object.fromEntries(
      Object.entries(message).map(([name, value]) => [
        name,
        typeof value === 'number' ? Math.fround(value) : value,
      ]),
    );
    const asInteger = MESSAGE_SPECS[message.type].fields.filter(([, codec]) => codec.name !== 'F32');
    for (const [name] of asInteger) {
      carried[name] = (message as unknown as Record<string, unknown>)[name];
    }
    const header = headerFor(message.type, payload.length);
    expect(decodeMessage(header, Buffer.from(fixture.payload_hex, 'hex'))).toEqual({
      ok: true,
      value: carried,
    });
    if (fixture.header_hex) {
      expect(encodeFrame(message).subarray(0, 6).toString('hex')).toBe(fixture.header_hex);
    }
  });

  it('the fixture fields decode from the published bytes', () => {
    const fixture = fixtures.find((f) => f.id === 'setup-connection-template-distribution') as MessageFixture;
    const decoded = decodeMessage(
      readFrameHeader(Buffer.from(fixture.header_hex as string, 'hex')),
      Buffer.from(fixture.payload_hex, 'hex'),
    );
    expect(decoded).toEqual({ ok: true, value: fromFixture(fixture) });
    const channel = fixtures.find((f) => f.id === 'open-standard-mining-channel') as MessageFixture;
    const opened = decodeMessage(
      headerFor('OpenStandardMiningChannel', 60),
      Buffer.from(channel.payload_hex, 'hex'),
    );
    expect(
      opened.ok && isMessage(opened.value, 'OpenStandardMiningChannel') && opened.value.nominal_hash_rate,
    ).toBe(Math.fround(12.3));
  });
});

describe('message types and channel_msg bits', () => {
  it('match 08-Message-Types.md, with the channel_msg fixes of sv2-spec PR #196', () => {
    const table = Object.fromEntries(
      NAMES.map((name) => [
        name,
        `${MESSAGE_SPECS[name].msgType.toString(16).padStart(2, '0')}${MESSAGE_SPECS[name].channelMsg ? ' channel' : ''}`,
      ]),
    );
    expect(table).toEqual({
      SetupConnection: '00',
      'SetupConnection.Success': '01',
      'SetupConnection.Error': '02',
      ChannelEndpointChanged: '03 channel',
      Reconnect: '04',
      OpenStandardMiningChannel: '10',
      'OpenStandardMiningChannel.Success': '11',
      'OpenMiningChannel.Error': '12',
      OpenExtendedMiningChannel: '13',
      'OpenExtendedMiningChannel.Success': '14',
      NewMiningJob: '15 channel',
      UpdateChannel: '16 channel',
      'UpdateChannel.Error': '17 channel',
      CloseChannel: '18 channel',
      SetExtranoncePrefix: '19 channel',
      SubmitSharesStandard: '1a channel',
      SubmitSharesExtended: '1b channel',
      'SubmitShares.Success': '1c channel',
      'SubmitShares.Error': '1d channel',
      NewExtendedMiningJob: '1f channel',
      SetNewPrevHash: '20 channel',
      SetTarget: '21 channel',
      SetCustomMiningJob: '22 channel',
      'SetCustomMiningJob.Success': '23 channel',
      'SetCustomMiningJob.Error': '24 channel',
      SetGroupChannel: '25',
      AllocateMiningJobToken: '50',
      'AllocateMiningJobToken.Success': '51',
      ProvideMissingTransactions: '55',
      'ProvideMissingTransactions.Success': '56',
      DeclareMiningJob: '57',
      'DeclareMiningJob.Success': '58',
      'DeclareMiningJob.Error': '59',
      PushSolution: '60',
    });
  });

  it('every channel message starts with channel_id, as [sv2 3.2] requires', () => {
    for (const name of NAMES) {
      if (MESSAGE_SPECS[name].channelMsg) {
        expect(MESSAGE_SPECS[name].fields[0]).toEqual([
          'channel_id',
          expect.objectContaining({ name: 'U32' }),
        ]);
      }
    }
  });

  it('a frame carries the bit and the type of its message', () => {
    const frame = encodeFrame({
      type: 'SubmitSharesStandard',
      channel_id: 7,
      sequence_number: 1,
      job_id: 2,
      nonce: 3,
      ntime: 4,
      version: 0x20000000,
    });
    expect(frame.subarray(0, 6).toString('hex')).toBe('00801a180000');
    expect(frame.subarray(6, 10).toString('hex')).toBe('07000000');
  });

  it('a peer sending the older channel_msg bit is still understood', () => {
    const frame = encodeFrame({
      type: 'SetCustomMiningJob.Success',
      channel_id: 1,
      request_id: 2,
      job_id: 3,
    });
    const header: FrameHeader = { ...readFrameHeader(frame), channelMsg: false };
    expect(decodeMessage(header, frame.subarray(6))).toMatchObject({ ok: true, value: { job_id: 3 } });
  });
});

describe('round trips', () => {
  it.each(NAMES)('%s', (type) => {
    fc.assert(
      fc.property(arbitraryMessage(type), (message) => {
        const frame = encodeFrame(message);
        const header = readFrameHeader(frame);
        expect(header.msgLength).toBe(frame.length - 6);
        expect(header.channelMsg).toBe(MESSAGE_SPECS[type].channelMsg);
        expect(decodeMessage(header, frame.subarray(6))).toEqual({ ok: true, value: message });
      }),
      { numRuns: 60 },
    );
  });

  it('through the frame decoder, several messages split anywhere', () => {
    fc.assert(
      fc.property(
        fc.array(anyMessage, { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 50 }),
        (messages, step) => {
          const stream = Buffer.concat(messages.map(encodeFrame));
          const decoder = new FrameDecoder();
          const decoded: unknown[] = [];
          for (let offset = 0; offset < stream.length; offset += step) {
            decoder.push(stream.subarray(offset, offset + step), (frame) => {
              const result = decodeMessage(frame.header, frame.payload);
              decoded.push(result.ok ? result.value : result.error);
            });
          }
          expect(decoded).toEqual(messages);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('malformed messages are typed errors', () => {
  it('every truncation of every message type is `truncated`', () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        const frame = encodeFrame(message);
        const header = readFrameHeader(frame);
        const payload = frame.subarray(6);
        for (let cut = 0; cut < payload.length; cut++) {
          const result = decodeMessage({ ...header, msgLength: cut }, payload.subarray(0, cut));
          expect(result).toMatchObject({ ok: false, error: { kind: 'truncated' } });
          expect(result.ok || result.error.field.startsWith(`${message.type}.`)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('a byte after the last field is `trailing-bytes`', () => {
    fc.assert(
      fc.property(anyMessage, (message) => {
        const payload = Buffer.concat([encodePayload(message), Buffer.from([0])]);
        expect(decodeMessage(headerFor(message.type, payload.length), payload)).toMatchObject({
          ok: false,
          error: { kind: 'trailing-bytes', field: message.type, length: 1 },
        });
      }),
    );
  });

  it('an extranonce over 32 bytes in SubmitSharesExtended names the field and the bound', () => {
    const good = encodePayload({
      type: 'SubmitSharesExtended',
      channel_id: 1,
      sequence_number: 2,
      job_id: 3,
      nonce: 4,
      ntime: 5,
      version: 6,
      extranonce: Buffer.alloc(32),
    });
    const bad = Buffer.concat([good.subarray(0, 24), Buffer.from([33]), Buffer.alloc(33)]);
    expect(decodeMessage(headerFor('SubmitSharesExtended', bad.length), bad)).toEqual({
      ok: false,
      error: {
        kind: 'length-over-bound',
        field: 'SubmitSharesExtended.extranonce',
        length: 33,
        max: 32,
        message: 'SubmitSharesExtended.extranonce: B0_32 length 33 is over its maximum 32',
      },
    });
  });

  it('bad UTF-8 in a user identity', () => {
    const payload = Buffer.concat([
      Buffer.from('0100000002c3', 'hex'),
      Buffer.from([0x28]),
      Buffer.alloc(36),
    ]);
    expect(decodeMessage(headerFor('OpenStandardMiningChannel', payload.length), payload)).toMatchObject({
      ok: false,
      error: { kind: 'invalid-utf8', field: 'OpenStandardMiningChannel.user_identity' },
    });
  });

  it('an unknown message type, the reserved 0x1e, and Template Distribution types', () => {
    for (const msgType of [0x05, 0x1e, 0x26, 0x52, 0x71, 0xff]) {
      expect(
        decodeMessage({ extensionType: 0, channelMsg: false, msgType, msgLength: 0 }, Buffer.alloc(0)),
      ).toMatchObject({
        ok: false,
        error: { kind: 'unknown-message-type', field: 'msg_type' },
      });
    }
  });

  it('a message of an extension, which the receiver discards', () => {
    expect(
      decodeMessage(
        { extensionType: 0x4001, channelMsg: true, msgType: 0x00, msgLength: 4 },
        Buffer.alloc(4),
      ),
    ).toMatchObject({ ok: false, error: { kind: 'unknown-extension', field: 'extension_type' } });
  });

  it('fuzz: random frames and random payloads never throw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xff }),
        fc.constantFrom(0, 0, 0, 1, 0x4000),
        fc.uint8Array({ maxLength: 200 }),
        (msgType, extensionType, payload) => {
          const result = decodeMessage(
            { extensionType, channelMsg: false, msgType, msgLength: payload.length },
            Buffer.from(payload),
          );
          expect(typeof result.ok).toBe('boolean');
        },
      ),
      { numRuns: 20000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.integer({ min: 1, max: 64 }), (stream, step) => {
        const decoder = new FrameDecoder(256);
        const bytes = Buffer.from(stream);
        for (let offset = 0; offset < bytes.length; offset += step) {
          const pushed = decoder.push(bytes.subarray(offset, offset + step), (frame) => {
            expect(typeof decodeMessage(frame.header, frame.payload).ok).toBe('boolean');
          });
          if (!pushed.ok) {
            expect(pushed.error.kind).toBe('frame-too-large');
            break;
          }
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('fuzz: valid messages with one byte changed never throw', () => {
    fc.assert(
      fc.property(anyMessage, fc.nat(), fc.integer({ min: 0, max: 0xff }), (message, at, byte) => {
        const payload = Buffer.from(encodePayload(message));
        if (payload.length > 0) {
          payload[at % payload.length] = byte;
        }
        const result = decodeMessage(headerFor(message.type, payload.length), payload);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('encoding refuses values outside their types', () => {
  it('names the message and the field', () => {
    expect(() =>
      encodePayload({ type: 'SetTarget', channel_id: 2 ** 32, maximum_target: Buffer.alloc(32) }),
    ).toThrow('SetTarget.channel_id: U32 must be an integer 0-4294967295, got 4294967296');
    expect(() =>
      encodePayload({ type: 'SetExtranoncePrefix', channel_id: 1, extranonce_prefix: Buffer.alloc(33) }),
    ).toThrow('SetExtranoncePrefix.extranonce_prefix: B0_32 must be a Buffer of at most 32 bytes');
    expect(() =>
      encodePayload({
        type: 'SetGroupChannel',
        group_channel_id: 1,
        channel_ids: [1, -2],
      }),
    ).toThrow('SetGroupChannel.channel_ids[1]: U32');
  });
});
