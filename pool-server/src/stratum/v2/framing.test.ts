import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FrameDecoder,
  frameLengthError,
  readFrameHeader,
  writeFrameHeader,
  type Frame,
  type FrameHeader,
} from './framing.ts';

function frameBytes(header: Omit<FrameHeader, 'msgLength'>, payload: Buffer): Buffer {
  const out = Buffer.alloc(6 + payload.length);
  writeFrameHeader({ ...header, msgLength: payload.length }, out);
  payload.copy(out, 6);
  return out;
}

function decodeAll(chunks: Buffer[], max?: number): { frames: Frame[]; ok: boolean } {
  const decoder = new FrameDecoder(max);
  const frames: Frame[] = [];
  let ok = true;
  for (const chunk of chunks) {
    ok = decoder.push(chunk, (frame) => frames.push(frame)).ok;
    if (!ok) {
      break;
    }
  }
  return { frames, ok };
}

describe('frame header', () => {
  it('reads the published SetupConnection header (82-byte payload)', () => {
    // github.com/stratum-mining/sv2-tp@6e9cb7fa:src/test/sv2_messages_tests.cpp, Sv2NetHeader_SetupConnection_test
    expect(readFrameHeader(Buffer.from('000000520000', 'hex'))).toEqual({
      extensionType: 0,
      channelMsg: false,
      msgType: 0,
      msgLength: 82,
    });
  });

  it('keeps the channel_msg bit apart from the extension type', () => {
    const header = readFrameHeader(Buffer.from('bc8a1b030201', 'hex'));
    expect(header).toEqual({ extensionType: 0x0abc, channelMsg: true, msgType: 0x1b, msgLength: 0x010203 });
    const out = Buffer.alloc(6);
    writeFrameHeader(header, out);
    expect(out.toString('hex')).toBe('bc8a1b030201');
  });

  it('round-trips every header', () => {
    fc.assert(
      fc.property(
        fc.record({
          extensionType: fc.integer({ min: 0, max: 0x7fff }),
          channelMsg: fc.boolean(),
          msgType: fc.integer({ min: 0, max: 0xff }),
          msgLength: fc.integer({ min: 0, max: 0xffffff }),
        }),
        (header) => {
          const out = Buffer.alloc(6);
          writeFrameHeader(header, out);
          expect(readFrameHeader(out)).toEqual(header);
        },
      ),
    );
  });

  it('refuses to write a header its fields cannot hold', () => {
    const out = Buffer.alloc(6);
    expect(() =>
      writeFrameHeader({ extensionType: 0x8000, channelMsg: false, msgType: 0, msgLength: 0 }, out),
    ).toThrow(RangeError);
    expect(() =>
      writeFrameHeader({ extensionType: 0, channelMsg: false, msgType: 0, msgLength: 2 ** 24 }, out),
    ).toThrow(RangeError);
  });

  it('names an over-long frame with its length and the limit', () => {
    expect(
      frameLengthError({ extensionType: 0, channelMsg: true, msgType: 0x1b, msgLength: 1001 }, 1000),
    ).toEqual({
      kind: 'frame-too-large',
      field: 'msg_length',
      length: 1001,
      max: 1000,
      message: 'msg_length: frame of 1001 bytes (msg_type 0x1b) is over the 1000-byte limit',
    });
    expect(
      frameLengthError({ extensionType: 0, channelMsg: true, msgType: 0x1b, msgLength: 1000 }, 1000),
    ).toBeUndefined();
  });
});

describe('frame decoder', () => {
  const stream = Buffer.concat([
    frameBytes({ extensionType: 0, channelMsg: false, msgType: 0x00 }, Buffer.from('setup')),
    frameBytes({ extensionType: 0, channelMsg: true, msgType: 0x1a }, Buffer.alloc(0)),
    frameBytes({ extensionType: 0x4001, channelMsg: true, msgType: 0x07 }, Buffer.alloc(300, 0xab)),
  ]);
  const expected = [
    { type: 0x00, length: 5 },
    { type: 0x1a, length: 0 },
    { type: 0x07, length: 300 },
  ];
  const summary = (frames: Frame[]) =>
    frames.map((f) => ({ type: f.header.msgType, length: f.payload.length }));

  it('yields the same frames for every split point', () => {
    for (let split = 0; split <= stream.length; split++) {
      const { frames, ok } = decodeAll([stream.subarray(0, split), stream.subarray(split)]);
      expect(ok).toBe(true);
      expect(summary(frames)).toEqual(expected);
      expect(
        Buffer.concat(frames.map((f) => f.payload)).equals(
          Buffer.concat([Buffer.from('setup'), Buffer.alloc(300, 0xab)]),
        ),
      ).toBe(true);
    }
  });

  it('byte by byte, and for any chunking', () => {
    expect(summary(decodeAll([...stream].map((byte) => Buffer.from([byte]))).frames)).toEqual(expected);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 30 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, index) =>
          stream.subarray(start, points[index] ?? stream.length),
        );
        expect(summary(decodeAll(chunks).frames)).toEqual(expected);
      }),
    );
  });

  it('copies payloads out of the chunk, which the socket may reuse', () => {
    const chunk = Buffer.from(stream);
    const { frames } = decodeAll([chunk]);
    chunk.fill(0);
    expect(frames[0]?.payload.toString()).toBe('setup');
  });

  it('refuses a frame over the limit from its header alone, before buffering its payload', () => {
    const decoder = new FrameDecoder(1024);
    const header = Buffer.alloc(6);
    writeFrameHeader({ extensionType: 0, channelMsg: true, msgType: 0x1b, msgLength: 0xffffff }, header);
    const seen: Frame[] = [];
    const result = decoder.push(Buffer.concat([header, Buffer.alloc(100)]), (frame) => seen.push(frame));
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'frame-too-large', length: 0xffffff, max: 1024 },
    });
    expect(decoder.pendingBytes).toBe(0);
    expect(seen).toEqual([]);
    // The connection is done: later bytes, even a valid frame, are refused.
    const again = decoder.push(
      frameBytes({ extensionType: 0, channelMsg: false, msgType: 0 }, Buffer.alloc(1)),
      (frame) => seen.push(frame),
    );
    expect(again.ok).toBe(false);
    expect(seen).toEqual([]);
  });

  it('delivers the frames before an over-long one', () => {
    const over = Buffer.alloc(6);
    writeFrameHeader({ extensionType: 0, channelMsg: false, msgType: 0, msgLength: 65 }, over);
    const { frames, ok } = decodeAll(
      [
        Buffer.concat([
          frameBytes({ extensionType: 0, channelMsg: false, msgType: 1 }, Buffer.alloc(64)),
          over,
        ]),
      ],
      64,
    );
    expect(ok).toBe(false);
    expect(summary(frames)).toEqual([{ type: 1, length: 64 }]);
  });

  it('holds a partial frame until it completes', () => {
    const decoder = new FrameDecoder();
    const frames: Frame[] = [];
    expect(decoder.push(stream.subarray(0, 8), (frame) => frames.push(frame)).ok).toBe(true);
    expect(decoder.pendingBytes).toBe(8);
    expect(frames).toEqual([]);
  });

  it('refuses a limit a U24 cannot announce', () => {
    expect(() => new FrameDecoder(2 ** 24)).toThrow(RangeError);
  });
});
