import { createRequire } from 'node:module';
import { decodeHexInto } from './bytes.ts';
import { HEADER_SIZE, writeHeader } from './header.ts';
import { foldMerkleBranch } from './merkle.ts';
import { sha256d } from './sha256d.ts';
import {
  EXTRANONCE_MAX,
  SHARE_EXTRANONCE1,
  SHARE_EXTRANONCE1_LENGTH,
  SHARE_EXTRANONCE2,
  SHARE_EXTRANONCE2_LENGTH,
  SHARE_HASH,
  SHARE_HEADER,
  SHARE_NONCE,
  SHARE_NTIME,
  SHARE_SIZE,
  SHARE_VERSION,
  type JobWork,
} from './share-work-layout.ts';

/**
 * Engines, fastest first: the native addon on SHA-NI, the native addon in portable C,
 * and node:crypto (always available; one call per digest, ~28 digests a share).
 */
export const SHARE_HASH_ENGINES = ['sha-ni', 'native-scalar', 'node-crypto'] as const;
export type ShareHashEngine = (typeof SHARE_HASH_ENGINES)[number];

type HashInto = (work: JobWork, share: Uint8Array) => void;

interface NativeBinding {
  hashShareScalar: NativeHashShare;
  hashShareShaNi?: NativeHashShare;
}

function loadNativeBinding(): NativeBinding | undefined {
  // Built by scripts/build-native.mjs at install; absent when no C toolchain was found.
  try {
    return createRequire(import.meta.url)('../../build/Release/share_hash.node') as NativeBinding;
  } catch {
    return undefined;
  }
}

const native = loadNativeBinding();

function hashWithNodeCrypto(work: JobWork, share: Uint8Array): void {
  const view = Buffer.from(share.buffer, share.byteOffset, share.byteLength);
  const extranonce1Length = view.readUInt32LE(SHARE_EXTRANONCE1_LENGTH);
  const extranonce2Length = view.readUInt32LE(SHARE_EXTRANONCE2_LENGTH);
  const coinbase = Buffer.concat([
    work.coinb1,
    view.subarray(SHARE_EXTRANONCE1, SHARE_EXTRANONCE1 + extranonce1Length),
    view.subarray(SHARE_EXTRANONCE2, SHARE_EXTRANONCE2 + extranonce2Length),
    work.coinb2,
  ]);
  const header = writeHeader(view.subarray(SHARE_HEADER, SHARE_HEADER + HEADER_SIZE), {
    version: view.readUInt32LE(SHARE_VERSION),
    prevhashInternal: work.prevhashInternal,
    merkleRootInternal: foldMerkleBranch(sha256d(coinbase), work.merkleBranch),
    ntime: view.readUInt32LE(SHARE_NTIME),
    bits: work.bits,
    nonce: view.readUInt32LE(SHARE_NONCE),
  });
  sha256d(header).copy(view, SHARE_HASH);
}

type NativeHashShare = (job: Uint8Array, share: Uint8Array) => void;

function withPackedJob(hashShare: NativeHashShare | undefined): HashInto | undefined {
  return (
    hashShare &&
    ((work, share) => {
      hashShare(work.packed, share);
    })
  );
}

function hashFunctionFor(engine: ShareHashEngine): HashInto | undefined {
  switch (engine) {
    case 'sha-ni':
      return withPackedJob(native?.hashShareShaNi);
    case 'native-scalar':
      return withPackedJob(native?.hashShareScalar);
    case 'node-crypto':
      return hashWithNodeCrypto;
  }
}

/** The engines this process can use, fastest first. */
export function availableShareHashEngines(): ShareHashEngine[] {
  return SHARE_HASH_ENGINES.filter((engine) => hashFunctionFor(engine) !== undefined);
}

/** Hashes shares into one reused buffer: nothing is allocated per share. */
export class ShareHasher {
  readonly engine: ShareHashEngine;
  /** The last share's 80-byte header; overwritten by the next call. */
  readonly header: Uint8Array;
  /** The last share's sha256d(header), internal byte order; overwritten by the next call. */
  readonly hash: Uint8Array;
  readonly #share = new Uint8Array(SHARE_SIZE);
  readonly #view = new DataView(this.#share.buffer);
  readonly #hashInto: HashInto;

  /** Use createShareHasher(), which picks an available engine. */
  constructor(engine: ShareHashEngine, hashInto: HashInto) {
    this.engine = engine;
    this.#hashInto = hashInto;
    this.header = this.#share.subarray(SHARE_HEADER, SHARE_HEADER + HEADER_SIZE);
    this.hash = this.#share.subarray(SHARE_HASH, SHARE_HASH + 32);
  }

  /**
   * Builds coinbase -> merkle root -> header -> hash for one share. Returns false when
   * an extranonce is longer than 8 bytes or extranonce2 is not hex.
   */
  hashShare(
    work: JobWork,
    extranonce1: Uint8Array,
    extranonce2Hex: string,
    version: number,
    ntime: number,
    nonce: number,
  ): boolean {
    const extranonce2Length = extranonce2Hex.length >>> 1;
    if (
      extranonce1.length > EXTRANONCE_MAX ||
      extranonce2Length > EXTRANONCE_MAX ||
      extranonce2Hex.length !== 2 * extranonce2Length ||
      !decodeHexInto(extranonce2Hex, this.#share, SHARE_EXTRANONCE2, extranonce2Length)
    ) {
      return false;
    }
    const view = this.#view;
    view.setUint32(SHARE_EXTRANONCE1_LENGTH, extranonce1.length, true);
    view.setUint32(SHARE_EXTRANONCE2_LENGTH, extranonce2Length, true);
    this.#share.set(extranonce1, SHARE_EXTRANONCE1);
    view.setUint32(SHARE_VERSION, version, true);
    view.setUint32(SHARE_NTIME, ntime, true);
    view.setUint32(SHARE_NONCE, nonce, true);
    this.#hashInto(work, this.#share);
    return true;
  }
}

/** A hasher on `engine`, or on the fastest available one. Throws if `engine` is unavailable. */
export function createShareHasher(engine: ShareHashEngine | 'auto' = 'auto'): ShareHasher {
  const chosen = engine === 'auto' ? availableShareHashEngines()[0] : engine;
  const hashInto = chosen && hashFunctionFor(chosen);
  if (chosen === undefined || hashInto === undefined) {
    throw new Error(
      `share hash engine "${engine}" is not available here (available: ${availableShareHashEngines().join(', ')})`,
    );
  }
  return new ShareHasher(chosen, hashInto);
}
