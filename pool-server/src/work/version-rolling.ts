/**
 * [BIP310] version rolling. The header version is
 * (job version & ~mask) | (submitted bits & mask); bits outside the mask are refused.
 */

/** [BIP320] the 16 general-purpose version bits 13–28. */
export const BIP320_VERSION_MASK = 0x1fffe000;

/** [BIP310: mining.configure] The mask granted: what the pool allows of what the miner asked. */
export function negotiateVersionMask(poolMask: number, minerMask: number): number {
  return (poolMask & minerMask) >>> 0;
}

/** The header version for a share, or undefined when `bits` reach outside `mask`. */
export function rollVersion(jobVersion: number, bits: number, mask: number): number | undefined {
  if ((bits & ~mask) !== 0) {
    return undefined;
  }
  return ((jobVersion & ~mask) | (bits & mask)) >>> 0;
}
