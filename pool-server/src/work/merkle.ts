import { sha256d } from './sha256d.ts';

/**
 * Merkle trees of transaction ids, all hashes in internal byte order. At each level
 * neighbours are paired and an odd last node pairs with itself.
 */

function parentLevel(level: readonly Buffer[]): Buffer[] {
  const parents: Buffer[] = [];
  level.forEach((left, index) => {
    if (index % 2 === 0) {
      parents.push(sha256d(Buffer.concat([left, level[index + 1] ?? left])));
    }
  });
  return parents;
}

export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  let level = leaves;
  while (level.length > 1) {
    level = parentLevel(level);
  }
  const [root] = level;
  if (root === undefined) {
    throw new RangeError('a merkle tree needs at least one leaf');
  }
  return root;
}

/**
 * [stratum: mining.notify] The coinbase's merkle branch: the sibling at each level on
 * the path of leaf 0, for a tree whose leaves are [coinbase, ...txids].
 */
export function merkleBranch(txids: readonly Buffer[]): Buffer[] {
  const branch: Buffer[] = [];
  // The coinbase path is never hashed on the way up: only its siblings are needed.
  let siblings = txids;
  while (siblings.length > 0) {
    const [sibling, ...rest] = siblings;
    if (sibling) {
      branch.push(sibling);
    }
    siblings = parentLevel(rest);
  }
  return branch;
}

/** Folds a leaf up its branch: r = sha256d(r || b) for each b; the leaf is always the left node. */
export function foldMerkleBranch(leaf: Buffer, branch: readonly Buffer[]): Buffer {
  let node = leaf;
  for (const sibling of branch) {
    node = sha256d(Buffer.concat([node, sibling]));
  }
  return node;
}
