import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sv2Frame } from '../../../../test/helpers/sv2-noise-initiator.ts';
import { CipherState } from './cipher-state.ts';
import { NoiseError } from './errors.ts';
import { encryptedPayloadLength, NoiseTransport } from './transport.ts';

const LIMITS = { maxPayloadBytes: 200_000 };

/** Two ends of one session: what the miner encrypts, the pool decrypts. */
function ends(): { miner: NoiseTransport; pool: NoiseTransport } {
  const toPool = Buffer.alloc(32, 1);
  const toMiner = Buffer.alloc(32, 2);
  return {
    miner: new NoiseTransport(new CipherState(toPool), new CipherState(toMiner), LIMITS),
    pool: new NoiseTransport(new CipherState(toMiner), new CipherState(toPool), LIMITS),
  };
}

const frames = fc.array(
  fc.record({
    extensionType: fc.integer({ min: 0, max: 0xffff }),
    messageType: fc.integer({ min: 0, max: 0xff }),
    payload: fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.integer({ min: 65_500, max: 140_000 }).map((length) => new Uint8Array(length).fill(length & 0xff)),
    ),
  }),
  { minLength: 1, maxLength: 5 },
);

describe('NoiseTransport, for any frames cut anywhere', () => {
  it('delivers every frame whole, in order, and nothing else', () => {
    fc.assert(
      fc.property(
        frames,
        fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 40 }),
        (sent, cuts) => {
          const { miner, pool } = ends();
          const plain = sent.map(({ extensionType, messageType, payload }) =>
            sv2Frame(extensionType, messageType, payload),
          );
          const wire = Buffer.concat(plain.map((frame) => miner.encryptFrame(frame)));
          expect(wire.length).toBe(
            plain.reduce((sum, frame) => sum + 22 + encryptedPayloadLength(frame.length - 6), 0),
          );
          const received: Buffer[] = [];
          let start = 0;
          for (let index = 0; start < wire.length; index += 1) {
            const end = Math.min(wire.length, start + (cuts[index % cuts.length] as number));
            const chunk = Buffer.from(wire.subarray(start, end));
            received.push(...pool.decryptor.push(chunk));
            // As a socket may, the chunk's memory is reused once pushed: what was kept must be a copy.
            chunk.fill(0xa5);
            start = end;
          }
          // Compared as hex: vitest's deep equality walks a large Buffer byte by byte, slowly.
          expect(received.map((frame) => frame.toString('hex'))).toEqual(
            plain.map((frame) => frame.toString('hex')),
          );
          expect(pool.decryptor.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses the session at the first flipped bit, wherever it is', () => {
    fc.assert(
      fc.property(frames, fc.nat(), fc.integer({ min: 0, max: 7 }), (sent, where, bit) => {
        const { miner, pool } = ends();
        const wire = Buffer.concat(
          sent.map((frame) =>
            miner.encryptFrame(sv2Frame(frame.extensionType, frame.messageType, frame.payload)),
          ),
        );
        const offset = where % wire.length;
        wire[offset] = (wire[offset] as number) ^ (1 << bit);
        let error: unknown;
        try {
          pool.decryptor.push(wire);
        } catch (caught) {
          error = caught;
        }
        // The header is authenticated too: a flipped length bit never reaches the limit check.
        expect(error).toBeInstanceOf(NoiseError);
        expect((error as NoiseError).code).toBe('ciphertext-rejected');
      }),
      { numRuns: 40 },
    );
  });
});
