import { describe, expect, it } from 'vitest';
import { headers, versionRolling } from '../../test/helpers/vectors.ts';
import { BIP320_VERSION_MASK, negotiateVersionMask, rollVersion } from './version-rolling.ts';

const hex = (value: string): number => Number.parseInt(value, 16);

describe('[BIP310] version rolling', () => {
  it('the BIP320 mask is 0x1fffe000', () => {
    expect(BIP320_VERSION_MASK).toBe(hex(versionRolling.bip320_mask.mask_hex));
  });

  it.each(versionRolling.shares_with_version_bits)('$case', (share) => {
    expect(rollVersion(hex(share.job_version), hex(share.version_bits), hex(share.mask))).toBe(
      hex(share.header_version),
    );
  });

  it.each(versionRolling.mainnet_version_rolled_blocks)('$block: base and rolled bits recombine', (block) => {
    const version = rollVersion(
      hex(block.base_outside_mask),
      hex(block.rolled_bits_inside_mask),
      BIP320_VERSION_MASK,
    );
    expect(version).toBe(hex(block.version_hex));
    const header = headers.vectors.find((vector) => block.block.endsWith(vector.id));
    expect(Buffer.from(header?.header_hex ?? '', 'hex').readUInt32LE(0)).toBe(version);
  });

  it('replaces template bits inside the mask: js2pool version 0x30000003 has bit 28 set', () => {
    // OR (ckpool) would keep bit 28 and XOR (public-pool) would clear it; BIP310 takes the miner's.
    expect(rollVersion(0x30000003, 0x00002000, BIP320_VERSION_MASK)).toBe(0x20002003);
    expect(rollVersion(0x30000003, 0x10002000, BIP320_VERSION_MASK)).toBe(0x30002003);
  });

  it('refuses bits outside the mask, including the top three (btcpool #425)', () => {
    expect(rollVersion(0x20000000, 0x40000000, BIP320_VERSION_MASK)).toBeUndefined();
    expect(rollVersion(0x20000000, 0x00001000, BIP320_VERSION_MASK)).toBeUndefined();
    expect(rollVersion(0x20000000, 0x00002000, 0)).toBeUndefined();
    expect(rollVersion(0x20000000, 0, 0)).toBe(0x20000000);
  });

  it('grants what both sides allow', () => {
    expect(negotiateVersionMask(BIP320_VERSION_MASK, 0xffffffff)).toBe(0x1fffe000);
    expect(negotiateVersionMask(BIP320_VERSION_MASK, 0x00c00000)).toBe(0x00c00000);
    expect(negotiateVersionMask(BIP320_VERSION_MASK, 0xe0000000)).toBe(0);
  });
});
