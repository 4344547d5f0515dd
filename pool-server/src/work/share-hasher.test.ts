import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeHeader } from './header.ts';
import { foldMerkleBranch } from './merkle.ts';
import { sha256d } from './sha256d.ts';
import {
  availableShareHashEngines,
  createShareHasher,
  SHARE_HASH_ENGINES,
  type ShareHasher,
} from './share-hasher.ts';
import { createJobWork } from './share-work-layout.ts';

const engines = availableShareHashEngines();

/** The recipe of vectors/NOTES.md written out plainly: the reference every engine must equal. */
function referenceHash(
  coinb1: Buffer,
  extranonce1: Buffer,
  extranonce2: Buffer,
  coinb2: Buffer,
  branch: Buffer[],
  prevhash: Buffer,
  fields: { version: number; ntime: number; bits: number; nonce: number },
): { header: Buffer; hash: Buffer } {
  const txid = sha256d(Buffer.concat([coinb1, extranonce1, extranonce2, coinb2]));
  const header = writeHeader(Buffer.alloc(80), {
    ...fields,
    prevhashInternal: prevhash,
    merkleRootInternal: foldMerkleBranch(txid, branch),
  });
  return { header, hash: sha256d(header) };
}

interface ShareInputs {
  coinb1: Buffer;
  coinb2: Buffer;
  branch: Buffer[];
  prevhash: Buffer;
  extranonce1: Buffer;
  extranonce2: Buffer;
  fields: { version: number; ntime: number; bits: number; nonce: number };
}

function expectReferenceHash(hasher: ShareHasher, inputs: ShareInputs): void {
  const { coinb1, coinb2, branch, prevhash, extranonce1, extranonce2, fields } = inputs;
  const work = createJobWork(coinb1, coinb2, branch, prevhash, fields.bits);
  const hex = extranonce2.toString('hex');
  expect(hasher.hashShare(work, extranonce1, hex, fields.version, fields.ntime, fields.nonce)).toBe(true);
  const expected = referenceHash(coinb1, extranonce1, extranonce2, coinb2, branch, prevhash, fields);
  const what = `coinbase of ${String(coinb1.length + coinb2.length + 4 + extranonce2.length)} bytes`;
  expect(Buffer.from(hasher.header).toString('hex'), what).toBe(expected.header.toString('hex'));
  expect(Buffer.from(hasher.hash).toString('hex'), what).toBe(expected.hash.toString('hex'));
}

const bytes = (min: number, max: number) =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((array) => Buffer.from(array));
const u32 = fc.integer({ min: 0, max: 0xffffffff });

describe('share hash engines', () => {
  it('the native engines are built where CI runs (SHA-NI on this machine)', () => {
    expect(engines).toContain('node-crypto');
    if (process.env.CI === 'true') {
      expect(engines).toEqual([...SHARE_HASH_ENGINES]);
    }
  });

  it.each(engines)('%s equals the reference on random jobs and shares', (engine) => {
    const hasher = createShareHasher(engine);
    fc.assert(
      fc.property(
        bytes(0, 300),
        bytes(0, 300),
        fc.array(bytes(32, 32), { maxLength: 14 }),
        bytes(32, 32),
        bytes(4, 4),
        bytes(2, 8),
        fc.record({ version: u32, ntime: u32, bits: u32, nonce: u32 }),
        (coinb1, coinb2, branch, prevhash, extranonce1, extranonce2, fields) => {
          expectReferenceHash(hasher, { coinb1, coinb2, branch, prevhash, extranonce1, extranonce2, fields });
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(engines)('%s: every coinbase length across the SHA-256 padding boundaries', (engine) => {
    const hasher = createShareHasher(engine);
    const prevhash = Buffer.alloc(32, 7);
    const fields = { version: 0x20000000, ntime: 1_700_000_000, bits: 0x1d00ffff, nonce: 42 };
    const extranonce1 = Buffer.from('deadbeef', 'hex');
    const extranonce2 = Buffer.from('0102030405060708', 'hex');
    for (let length = 0; length <= 200; length++) {
      const coinb1 = Buffer.alloc(length >> 1, length);
      const coinb2 = Buffer.alloc(length - coinb1.length, 255 - length);
      expectReferenceHash(hasher, { coinb1, coinb2, branch: [], prevhash, extranonce1, extranonce2, fields });
    }
  });

  it.each(engines)('%s refuses extranonces it cannot place', (engine) => {
    const hasher = createShareHasher(engine);
    const work = createJobWork(Buffer.alloc(10), Buffer.alloc(10), [], Buffer.alloc(32), 0);
    expect(hasher.hashShare(work, Buffer.alloc(9), '00', 0, 0, 0)).toBe(false);
    expect(hasher.hashShare(work, Buffer.alloc(4), '00'.repeat(9), 0, 0, 0)).toBe(false);
    expect(hasher.hashShare(work, Buffer.alloc(4), '0g', 0, 0, 0)).toBe(false);
    expect(hasher.hashShare(work, Buffer.alloc(4), '000', 0, 0, 0)).toBe(false);
    expect(hasher.hashShare(work, Buffer.alloc(4), '0000', 0, 0, 0)).toBe(true);
  });

  it('a native engine refuses a job buffer shorter than it declares, instead of reading past it', () => {
    const native = engines.find((engine) => engine !== 'node-crypto');
    if (native === undefined) {
      expect(engines).toEqual(['node-crypto']);
      return;
    }
    const hasher = createShareHasher(native);
    const work = createJobWork(Buffer.alloc(10), Buffer.alloc(10), [], Buffer.alloc(32), 0);
    const truncated = { ...work, packed: work.packed.subarray(0, work.packed.length - 1) };
    expect(() => hasher.hashShare(truncated, Buffer.alloc(4), '0000', 0, 0, 0)).toThrow(RangeError);
  });

  it('an unknown or unavailable engine is an error naming what is available', () => {
    expect(() => createShareHasher('wasm' as never)).toThrow(/available: /);
  });
});
