/**
 * What a model hashes, from its name: the pool only takes sha256d, but a farm runs
 * what it runs, and a scrypt L7's MH/s must not be read as a Bitcoin miner's.
 */
const BY_MODEL: readonly (readonly [RegExp, string])[] = [
  [/\bL[3-9]\+?\b|\bDG[ -]?(?:1|Home)|\bMini ?DOGE|\bLT[0-9]/i, 'scrypt'],
  [/\bE9\b/i, 'ethash'],
  [/\bKS[0-9]|\bKA[0-9]|\bKS\b/i, 'kheavyhash'],
  [/\bZ1[15]\b/i, 'equihash'],
  [/\bD[79]\b/i, 'x11'],
  [/\bK7\b/i, 'eaglesong'],
];

export function algorithmOf(model: string | undefined): string {
  if (model !== undefined) {
    for (const [pattern, algorithm] of BY_MODEL) {
      if (pattern.test(model)) {
        return algorithm;
      }
    }
  }
  return 'sha256d';
}
