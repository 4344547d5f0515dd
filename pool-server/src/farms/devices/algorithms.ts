import type { AlgorithmHashrate } from '@hashwatt/schemas';

/**
 * Only SHA-256 hashrate is Bitcoin hashrate: a farm's totals, its reported-against-pool
 * comparison and its economics count devices of this algorithm alone. Every other
 * algorithm, and `unknown` (what an agent that names none is stored as), is shown apart.
 */
export const BITCOIN_ALGORITHM = 'sha256d';

export function isBitcoinAlgorithm(algorithm: string): boolean {
  return algorithm === BITCOIN_ALGORITHM;
}

/** The unit an algorithm's hashrate is counted in: Equihash counts solutions. */
export function hashUnitOf(algorithm: string): AlgorithmHashrate['unit'] {
  return algorithm === 'equihash' ? 'Sol/s' : 'H/s';
}

/** The hashrate of devices hashing something else than Bitcoin, summed per algorithm. */
export function otherAlgorithms(
  devices: readonly { readonly algorithm: string; readonly hashrate: number | null }[],
): AlgorithmHashrate[] {
  const sums = new Map<string, { hashrate: number; devices: number }>();
  for (const device of devices) {
    if (!isBitcoinAlgorithm(device.algorithm)) {
      const entry = sums.get(device.algorithm) ?? { hashrate: 0, devices: 0 };
      entry.hashrate += device.hashrate ?? 0;
      entry.devices += 1;
      sums.set(device.algorithm, entry);
    }
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([algorithm, sum]) => ({ algorithm, unit: hashUnitOf(algorithm), ...sum }));
}
