/**
 * PPLNS: a block's reward (less the pool fee) is shared by the last N x network
 * difficulty of share difficulty before it, in proportion to each account's part of
 * that window. The oldest share of the window counts only for the part that fits.
 */

export interface WindowShare {
  readonly accountId: string;
  readonly difficulty: number;
}

/**
 * Each account's difficulty inside the window, from shares given newest first. Stops
 * reading as soon as the window is full.
 */
export function pplnsWindow(
  newestFirst: Iterable<WindowShare>,
  windowDifficulty: number,
): Map<string, number> {
  const parts = new Map<string, number>();
  let left = windowDifficulty;
  for (const share of newestFirst) {
    if (left <= 0) {
      break;
    }
    const counted = Math.min(share.difficulty, left);
    parts.set(share.accountId, (parts.get(share.accountId) ?? 0) + counted);
    left -= counted;
  }
  return parts;
}

/**
 * Splits `total` satoshis in proportion to `weights`, exactly: floors first, then the
 * leftover satoshis one each to the largest remainders (ties by account id), so the
 * parts always sum to `total`.
 */
export function splitReward(total: bigint, weights: ReadonlyMap<string, number>): Map<string, bigint> {
  const entries = [...weights].filter(([, weight]) => weight > 0);
  const sum = entries.reduce((acc, [, weight]) => acc + weight, 0);
  const parts = new Map<string, bigint>();
  if (entries.length === 0 || sum <= 0 || total <= 0n) {
    return parts;
  }
  // Weights are floating point (difficulties); scale them to integers for exact arithmetic.
  const scale = 2 ** 52 / sum;
  const scaled = entries.map(([account, weight]) => [account, BigInt(Math.floor(weight * scale))] as const);
  const scaledSum = scaled.reduce((acc, [, weight]) => acc + weight, 0n);
  const remainders: { account: string; remainder: bigint }[] = [];
  let given = 0n;
  for (const [account, weight] of scaled) {
    const exact = total * weight;
    const part = exact / scaledSum;
    parts.set(account, part);
    given += part;
    remainders.push({ account, remainder: exact % scaledSum });
  }
  remainders.sort((a, b) =>
    a.remainder === b.remainder ? (a.account < b.account ? -1 : 1) : a.remainder > b.remainder ? -1 : 1,
  );
  for (let index = 0; given < total; index++) {
    const { account } = remainders[index % remainders.length] ?? { account: '' };
    parts.set(account, (parts.get(account) ?? 0n) + 1n);
    given++;
  }
  return parts;
}
