import { describe, expect, it } from 'vitest';
import { stratumShares, targets, type ShareCase } from '../../../test/helpers/vectors.ts';
import { swapWords32 } from '../../work/bytes.ts';
import { foldMerkleBranch } from '../../work/merkle.ts';
import { sha256d } from '../../work/sha256d.ts';
import {
  merkleRootWithExtranonce,
  targetForDifficulty,
  toNewExtendedMiningJob,
  toNewMiningJob,
  toSetNewPrevHash,
  type V1JobParts,
} from './job-translation.ts';
import { decodeMessage, encodeFrame } from './message-codec.ts';
import { readFrameHeader } from './framing.ts';
import type { Sv2Message } from './message-table.ts';

const hex = (text: string): Buffer => Buffer.from(text, 'hex');
const u32 = (text: string): number => Number.parseInt(text, 16);
const u32LE = (value: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(value >>> 0);
  return out;
};

function partsOf(shareCase: ShareCase): V1JobParts {
  const { notify, subscribe, submit } = shareCase;
  return {
    coinb1: hex(notify.coinb1),
    coinb2: hex(notify.coinb2),
    merkleBranch: notify.merkle_branch.map(hex),
    version: u32(notify.version),
    bits: u32(notify.nbits),
    ntime: u32(notify.ntime ?? submit.ntime),
    // [stratum: mining.notify] prevhash is the internal bytes with each 4-byte word swapped.
    prevhashInternal: swapWords32(hex(notify.prevhash)),
    extranonceSize: hex(subscribe.extranonce1).length + subscribe.extranonce2_size,
  };
}

/** Sends a message through the wire format and back, as the miner would read it. */
function overTheWire<M extends Sv2Message>(message: M): M {
  const frame = encodeFrame(message);
  const decoded = decodeMessage(readFrameHeader(frame), frame.subarray(6));
  if (!decoded.ok) {
    throw new Error(decoded.error.message);
  }
  return decoded.value as M;
}

describe('V1 jobs as V2 messages, checked against real shares and blocks', () => {
  it.each(stratumShares.cases)('$id', (shareCase) => {
    const parts = partsOf(shareCase);
    const extranonce1 = hex(shareCase.subscribe.extranonce1);
    const extranonce2 = hex(shareCase.submit.extranonce2);
    const expectedRoot = shareCase.expected.merkle_root_internal;

    // A standard channel whose extranonce_prefix is the whole extranonce: the pool sends the root.
    const standard = overTheWire(
      toNewMiningJob(
        parts,
        { channelId: 3, jobId: 9, future: false },
        Buffer.concat([extranonce1, extranonce2]),
      ),
    );
    expect(standard.merkle_root.toString('hex')).toBe(expectedRoot);
    expect(standard.min_ntime).toBe(parts.ntime);

    // An extended channel with extranonce_prefix = extranonce1: the miner builds the coinbase
    // as [sv2 5.3.16] says, from the message alone.
    const extended = overTheWire(
      toNewExtendedMiningJob(parts, { channelId: 4, jobId: 10, future: true }, true),
    );
    expect(extended.min_ntime).toBeNull();
    const coinbase = Buffer.concat([
      extended.coinbase_tx_prefix,
      extranonce1,
      extranonce2,
      extended.coinbase_tx_suffix,
    ]);
    expect(coinbase.toString('hex')).toBe(shareCase.expected.coinbase_hex);
    expect(foldMerkleBranch(sha256d(coinbase), extended.merkle_path).toString('hex')).toBe(expectedRoot);

    // The header a V2 share describes is the header the V1 share hashed.
    const prevHash = overTheWire(toSetNewPrevHash(parts, 4, 10));
    expect(Buffer.from(prevHash.prev_hash).reverse().toString('hex')).toBe(
      shareCase.expected.prevhash_display,
    );
    const header = Buffer.concat([
      u32LE(u32(shareCase.expected.header_version_hex)),
      prevHash.prev_hash,
      standard.merkle_root,
      u32LE(u32(shareCase.submit.ntime)),
      u32LE(prevHash.nbits),
      u32LE(u32(shareCase.submit.nonce)),
    ]);
    expect(header.toString('hex')).toBe(shareCase.expected.header_hex);
    expect(sha256d(header).toString('hex')).toBe(shareCase.expected.hash_internal);
  });

  it('refuses an extranonce that does not fill the coinbase gap', () => {
    const parts = partsOf(stratumShares.cases[0] as ShareCase);
    expect(() => merkleRootWithExtranonce(parts, Buffer.alloc(parts.extranonceSize - 1))).toThrow(
      `the job's coinbase holds ${String(parts.extranonceSize)} extranonce bytes, got ${String(parts.extranonceSize - 1)}`,
    );
  });
});

describe('targets for SetTarget', () => {
  it.each(targets.share_target_from_difficulty.examples)(
    'difficulty $difficulty',
    ({ difficulty, target_hex }) => {
      // U256 is little-endian; the vectors print targets big-endian.
      expect(targetForDifficulty(difficulty).reverse().toString('hex')).toBe(target_hex);
    },
  );
});
