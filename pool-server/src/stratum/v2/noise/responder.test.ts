import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  NoiseInitiator,
  sv2Frame,
  type InitiatorSession,
} from '../../../../test/helpers/sv2-noise-initiator.ts';
import { issueCertificate } from './certificate.ts';
import { generateSecretKey, xOnlyPublicKey } from './ellswift.ts';
import { NoiseError, type NoiseErrorCode } from './errors.ts';
import {
  HANDSHAKE_HELLO_LENGTH,
  HANDSHAKE_REPLY_LENGTH,
  noiseServerIdentity,
  respondToHandshake,
  type NoiseServerIdentity,
} from './responder.ts';
import { encryptedPayloadLength, MAX_PLAINTEXT_CHUNK, type NoiseTransport } from './transport.ts';

const NOW = 1_800_000_000;
const DAY = 86_400;
const LIMITS = { maxPayloadBytes: 1 << 20 };

function poolIdentity(options: { validFrom?: number; notValidAfter?: number; signer?: Buffer } = {}): {
  identity: NoiseServerIdentity;
  authorityPublicKey: Buffer;
} {
  const authority = generateSecretKey(randomBytes);
  const staticSecretKey = generateSecretKey(randomBytes);
  const certificate = issueCertificate({
    authoritySecretKey: options.signer ?? authority,
    serverPublicKey: xOnlyPublicKey(staticSecretKey),
    validFrom: options.validFrom ?? NOW - DAY,
    notValidAfter: options.notValidAfter ?? NOW + DAY,
    auxRand: randomBytes(32),
  });
  return {
    identity: noiseServerIdentity(staticSecretKey, certificate, randomBytes),
    authorityPublicKey: xOnlyPublicKey(authority),
  };
}

function codeOf(action: () => unknown): NoiseErrorCode | 'no error' {
  try {
    action();
    return 'no error';
  } catch (error) {
    if (error instanceof NoiseError) {
      return error.code;
    }
    throw error;
  }
}

/** A handshake run directly, without streams. */
function handshake(
  identity: NoiseServerIdentity,
  authorityPublicKey: Buffer,
): { miner: InitiatorSession; pool: NoiseTransport } {
  const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: NOW });
  const { reply, transport } = respondToHandshake(identity, initiator.hello(), randomBytes, LIMITS);
  return { miner: initiator.readReply(reply), pool: transport };
}

/** Reads exactly `length` bytes from a stream, waiting for them. */
async function readExactly(stream: PassThrough, length: number): Promise<Buffer> {
  for (;;) {
    const bytes = stream.read(length) as Buffer | null;
    if (bytes !== null) {
      return bytes;
    }
    await once(stream, 'readable');
  }
}

describe('the NX handshake between the pool and a miner, over an in-memory pipe', () => {
  it('agrees on keys and carries frames both ways, cut anywhere', async () => {
    const { identity, authorityPublicKey } = poolIdentity();
    const toPool = new PassThrough();
    const toMiner = new PassThrough();

    const pool = (async () => {
      const { reply, transport } = respondToHandshake(
        identity,
        await readExactly(toPool, HANDSHAKE_HELLO_LENGTH),
        randomBytes,
        LIMITS,
      );
      toMiner.write(reply);
      const received: Buffer[] = [];
      while (received.length < 4) {
        const chunk = (toPool.read() as Buffer | null) ?? (await once(toPool, 'readable'), Buffer.alloc(0));
        received.push(...transport.decryptor.push(chunk));
      }
      for (const frame of received) {
        toMiner.write(transport.encryptFrame(frame));
      }
      return received;
    })();

    const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: NOW });
    toPool.write(initiator.hello());
    const miner = initiator.readReply(await readExactly(toMiner, HANDSHAKE_REPLY_LENGTH));
    expect(miner.serverPublicKey).toEqual(xOnlyPublicKey(identity.staticSecretKey));

    const sent = [
      sv2Frame(0, 0x00, Buffer.alloc(0)),
      sv2Frame(0x8000, 0x1a, Buffer.from('0a000000', 'hex')),
      sv2Frame(0, 0x20, randomBytes(MAX_PLAINTEXT_CHUNK)),
      sv2Frame(0, 0x21, randomBytes(3 * MAX_PLAINTEXT_CHUNK + 5)),
    ];
    const wire = Buffer.concat(sent.map((frame) => miner.encrypt(frame)));
    // Cut into pieces of 1 to 7000 bytes, so headers and MACs split across chunks.
    for (let start = 0; start < wire.length;) {
      const end = Math.min(wire.length, start + 1 + Math.floor(Math.random() * 7000));
      toPool.write(wire.subarray(start, end));
      start = end;
    }
    const hex = (list: Buffer[]): string[] => list.map((frame) => frame.toString('hex'));
    expect(hex(await pool)).toEqual(hex(sent));
    const echoLength = sent.reduce((sum, frame) => sum + 22 + encryptedPayloadLength(frame.length - 6), 0);
    expect(hex(miner.decrypt(await readExactly(toMiner, echoLength)))).toEqual(hex(sent));
  });

  it("puts the specification's lengths on the wire: 22 bytes of header, 65535-byte chunks", () => {
    const { identity, authorityPublicKey } = poolIdentity();
    const { pool } = handshake(identity, authorityPublicKey);
    expect(pool.encryptFrame(sv2Frame(0, 1, Buffer.alloc(0)))).toHaveLength(22);
    expect(pool.encryptFrame(sv2Frame(0, 1, Buffer.alloc(1)))).toHaveLength(22 + 17);
    expect(pool.encryptFrame(sv2Frame(0, 1, Buffer.alloc(65519)))).toHaveLength(22 + 65535);
    expect(pool.encryptFrame(sv2Frame(0, 1, Buffer.alloc(65520)))).toHaveLength(22 + 65535 + 17);
    expect(encryptedPayloadLength(2 * 65519)).toBe(2 * 65535);
  });
});

describe('the frame decryptor', () => {
  it('takes a frame one byte at a time and gives it whole once its last byte is in', () => {
    const { identity, authorityPublicKey } = poolIdentity();
    const { miner, pool } = handshake(identity, authorityPublicKey);
    const frames = [sv2Frame(0, 0x1b, randomBytes(70_000)), sv2Frame(0, 0x1c, Buffer.alloc(0))];
    const wire = Buffer.concat(frames.map((frame) => miner.encrypt(frame)));
    const received: Buffer[] = [];
    for (let index = 0; index < wire.length; index += 1) {
      received.push(...pool.decryptor.push(wire.subarray(index, index + 1)));
      const firstLength = wire.length - 22;
      if (index === firstLength - 2) {
        // The header is decrypted and gone; the payload waits for its last byte.
        expect(received).toEqual([]);
        expect(pool.decryptor.pendingBytes).toBe(firstLength - 1 - 22);
      }
      if (index === firstLength - 1) {
        expect(received.map((frame) => frame.toString('hex'))).toEqual([frames[0]?.toString('hex')]);
        expect(pool.decryptor.pendingBytes).toBe(0);
      }
    }
    expect(received.map((frame) => frame.toString('hex'))).toEqual(
      frames.map((frame) => frame.toString('hex')),
    );
    expect(pool.decryptor.pendingBytes).toBe(0);
  });
});

describe('what the miner refuses in the handshake', () => {
  it('a certificate signed by another key than the pinned authority', () => {
    const { identity } = poolIdentity();
    const pinned = xOnlyPublicKey(generateSecretKey(randomBytes));
    expect(codeOf(() => handshake(identity, pinned))).toBe('certificate-signature');
  });

  it('a certificate the authority signed for another static key', () => {
    const authority = generateSecretKey(randomBytes);
    const { identity } = poolIdentity({ signer: authority });
    const other = poolIdentity({ signer: authority }).identity;
    const swapped = noiseServerIdentity(identity.staticSecretKey, other.certificate, randomBytes);
    expect(codeOf(() => handshake(swapped, xOnlyPublicKey(authority)))).toBe('certificate-signature');
  });

  it('an expired certificate, and one not yet valid', () => {
    const expired = poolIdentity({ validFrom: NOW - 2 * DAY, notValidAfter: NOW - DAY });
    expect(codeOf(() => handshake(expired.identity, expired.authorityPublicKey))).toBe('certificate-expired');
    const early = poolIdentity({ validFrom: NOW + DAY, notValidAfter: NOW + 2 * DAY });
    expect(codeOf(() => handshake(early.identity, early.authorityPublicKey))).toBe(
      'certificate-not-yet-valid',
    );
  });

  it('a reply changed in any byte, and a reply of the wrong length', () => {
    const { identity, authorityPublicKey } = poolIdentity();
    for (const offset of [0, 63, 64, 127, 143, 144, 217, 233]) {
      const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: NOW });
      const { reply } = respondToHandshake(identity, initiator.hello(), randomBytes, LIMITS);
      reply[offset] = (reply[offset] as number) ^ 0x01;
      expect(
        codeOf(() => initiator.readReply(reply)),
        `byte ${String(offset)}`,
      ).toBe('handshake-tampered');
    }
    const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: NOW });
    const { reply } = respondToHandshake(identity, initiator.hello(), randomBytes, LIMITS);
    expect(codeOf(() => initiator.readReply(reply.subarray(0, 233)))).toBe('handshake-length');
  });

  it('any 64 bytes as a first message, edge values included: the pool answers, never throws', () => {
    const { identity } = poolIdentity();
    const edges = [
      Buffer.alloc(64),
      Buffer.alloc(64, 0xff),
      Buffer.concat([Buffer.alloc(32), Buffer.alloc(32, 0xff)]),
    ];
    for (const hello of edges) {
      expect(respondToHandshake(identity, hello, randomBytes, LIMITS).reply).toHaveLength(
        HANDSHAKE_REPLY_LENGTH,
      );
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (hello) => {
        expect(respondToHandshake(identity, hello, randomBytes, LIMITS).reply).toHaveLength(
          HANDSHAKE_REPLY_LENGTH,
        );
      }),
      { numRuns: 30 },
    );
  });

  it('a first message the pool cannot take: too short or too long', () => {
    const { identity } = poolIdentity();
    expect(codeOf(() => respondToHandshake(identity, Buffer.alloc(63), randomBytes, LIMITS))).toBe(
      'handshake-length',
    );
    expect(codeOf(() => respondToHandshake(identity, Buffer.alloc(65), randomBytes, LIMITS))).toBe(
      'handshake-length',
    );
  });

  it('a first message changed on the way gives keys that fail at once', () => {
    const { identity, authorityPublicKey } = poolIdentity();
    const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: NOW });
    const hello = initiator.hello();
    hello[5] = (hello[5] as number) ^ 0x01;
    const { reply } = respondToHandshake(identity, hello, randomBytes, LIMITS);
    expect(codeOf(() => initiator.readReply(reply))).toBe('handshake-tampered');
  });
});

describe('what the pool refuses after the handshake', () => {
  function session(): { miner: InitiatorSession; pool: NoiseTransport } {
    const { identity, authorityPublicKey } = poolIdentity();
    return handshake(identity, authorityPublicKey);
  }

  it('a changed header or payload, and anything after it', () => {
    for (const offset of [0, 21, 22, 40]) {
      const { miner, pool } = session();
      const wire = miner.encrypt(sv2Frame(0, 0x1b, Buffer.alloc(24, 7)));
      wire[offset] = (wire[offset] as number) ^ 0x80;
      expect(
        codeOf(() => pool.decryptor.push(wire)),
        `byte ${String(offset)}`,
      ).toBe('ciphertext-rejected');
      expect(codeOf(() => pool.decryptor.push(miner.encrypt(sv2Frame(0, 0x1b, Buffer.alloc(1)))))).toBe(
        'session-closed',
      );
    }
  });

  it('a replayed frame and frames out of order', () => {
    const replay = session();
    const first = replay.miner.encrypt(sv2Frame(0, 1, Buffer.from('one')));
    expect(replay.pool.decryptor.push(first)).toHaveLength(1);
    expect(codeOf(() => replay.pool.decryptor.push(first))).toBe('ciphertext-rejected');

    const reorder = session();
    const one = reorder.miner.encrypt(sv2Frame(0, 1, Buffer.from('one')));
    const two = reorder.miner.encrypt(sv2Frame(0, 1, Buffer.from('two')));
    expect(codeOf(() => reorder.pool.decryptor.push(two))).toBe('ciphertext-rejected');
    expect(one).not.toEqual(two);
  });

  it('a header announcing too long a payload, before any payload is buffered', () => {
    const { miner, pool } = session();
    const wire = miner.encrypt(sv2Frame(0, 0x1b, Buffer.alloc(LIMITS.maxPayloadBytes + 1)));
    expect(codeOf(() => pool.decryptor.push(wire.subarray(0, 22)))).toBe('frame-too-large');
    expect(pool.decryptor.pendingBytes).toBe(0);
  });

  it("a frame whose header does not give its own length, from the pool's own code", () => {
    const { pool } = session();
    const frame = sv2Frame(0, 1, Buffer.alloc(4));
    expect(codeOf(() => pool.encryptFrame(frame.subarray(0, 9)))).toBe('frame-malformed');
    expect(codeOf(() => pool.encryptFrame(frame.subarray(0, 5)))).toBe('frame-malformed');
  });
});
