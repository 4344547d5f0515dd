import { describe, expect, it } from 'vitest';
import { merkle, merkle634026, stratumShares } from '../../test/helpers/vectors.ts';
import { foldMerkleBranch, merkleBranch, merkleRoot } from './merkle.ts';
import { sha256d } from './sha256d.ts';

const internal = (displayHex: string): Buffer => Buffer.from(displayHex, 'hex').reverse();
const hex = (buffers: readonly Buffer[]): string[] => buffers.map((b) => b.toString('hex'));

describe('merkle root of real blocks', () => {
  it.each(merkle.blocks)('$id', (block) => {
    const txids = block.txids_display.map(internal);
    expect(merkleRoot(txids).toString('hex')).toBe(block.merkle_root_internal);
    expect(Buffer.from(block.merkle_root_internal, 'hex').reverse().toString('hex')).toBe(
      block.merkle_root_display,
    );
  });

  it('mainnet 634026: 1659 txids, odd at several levels', () => {
    const txids = merkle634026.txids_display.map(internal);
    expect(txids).toHaveLength(1659);
    expect(merkleRoot(txids).toString('hex')).toBe(merkle634026.merkle_root_internal);
  });

  it('refuses an empty tree', () => {
    expect(() => merkleRoot([])).toThrow(RangeError);
  });
});

describe('coinbase merkle branch', () => {
  it.each(merkle.blocks)(
    '$id: branch from the txids, and folding the coinbase txid gives the root',
    (block) => {
      const [coinbase, ...rest] = block.txids_display.map(internal);
      const branch = merkleBranch(rest);
      expect(hex(branch)).toEqual(block.coinbase_merkle_branch_internal);
      expect(foldMerkleBranch(coinbase as Buffer, branch).toString('hex')).toBe(block.merkle_root_internal);
    },
  );

  it('mainnet 634026', () => {
    const [coinbase, ...rest] = merkle634026.txids_display.map(internal);
    const branch = merkleBranch(rest);
    expect(hex(branch)).toEqual(merkle634026.coinbase_merkle_branch_internal);
    expect(foldMerkleBranch(coinbase as Buffer, branch).toString('hex')).toBe(
      merkle634026.merkle_root_internal,
    );
  });

  it.each(merkle.getblocktemplate_to_branch)('$id: template txids -> notify branch', (vector) => {
    expect(hex(merkleBranch(vector.txids_display.map(internal)))).toEqual(vector.merkle_branch_internal);
  });

  it('is empty for a coinbase-only block', () => {
    expect(merkleBranch([])).toEqual([]);
  });

  it.each(merkle.branch_folds)(
    '$id: ESP-Miner fold of coinb1 + extranonces + coinb2 over the branch',
    (fold) => {
      const coinbase = Buffer.from(fold.coinb1 + fold.extranonce1 + fold.extranonce2 + fold.coinb2, 'hex');
      const branch = fold.merkle_branch.map((h) => Buffer.from(h, 'hex'));
      expect(foldMerkleBranch(sha256d(coinbase), branch).toString('hex')).toBe(
        fold.expected_merkle_root_internal,
      );
    },
  );

  it('uses branch entries in internal order: display-order entries give another root', () => {
    const block = merkle.blocks.find((b) => b.txids_display.length > 2);
    if (!block) {
      throw new Error('vectors hold no block with more than two transactions');
    }
    const [coinbase] = block.txids_display.map(internal);
    const displayOrder = block.coinbase_merkle_branch_internal.map((h) => Buffer.from(h, 'hex').reverse());
    expect(foldMerkleBranch(coinbase as Buffer, displayOrder).toString('hex')).not.toBe(
      block.merkle_root_internal,
    );
  });
});

describe('pool-mined mainnet blocks from coinbase and Stratum branch', () => {
  it.each(stratumShares.mainnet_blocks_from_coinbase_and_branch.blocks)('$id', (block) => {
    // The txid is the hash of the stripped coinbase; the witness form gives another hash.
    const txid = sha256d(Buffer.from(block.coinbase_tx_hex_stripped, 'hex'));
    expect(Buffer.from(txid).reverse().toString('hex')).toBe(block.coinbase_txid_display);
    expect(sha256d(Buffer.from(block.coinbase_tx_hex_with_witness, 'hex')).equals(txid)).toBe(false);
    const root = foldMerkleBranch(
      txid,
      block.merkle_branch_internal.map((h) => Buffer.from(h, 'hex')),
    );
    expect(root.toString('hex')).toBe(block.merkle_root_internal);
    expect(root.toString('hex')).toBe(block.header_hex.slice(72, 136));
    expect(
      Buffer.from(sha256d(Buffer.from(block.header_hex, 'hex')))
        .reverse()
        .toString('hex'),
    ).toBe(block.hash_display);
  });
});
