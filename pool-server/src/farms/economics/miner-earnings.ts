import type { EarningsEstimate, PoolSettings } from '@hashwatt/schemas';
import type { Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { expectedSatsPerDay, hashpriceSatsPerThDay, type NetworkState } from './hashprice.ts';
import { networkAt } from './network.ts';

/**
 * A miner's expected day at its last day's average hashrate and the hashprice now, less
 * the pool's fee. Null with the reason when it sent no share in the day (an estimate of
 * 0 would read as a fact) or when the pool has seen no template to price hashes with.
 */
export async function minerEarnings(
  db: Queryable,
  input: {
    readonly hashrate: number;
    readonly nowMs: number;
    readonly feeWindowBlocks: number;
    readonly settings: Pick<PoolSettings, 'scheme' | 'feePercent'>;
  },
): Promise<EarningsEstimate> {
  const network = await networkOrUndefined(db, input.nowMs, input.feeWindowBlocks);
  const basis = {
    hashrate: input.hashrate,
    hashpriceSatsPerThDay: network ? hashpriceSatsPerThDay(network) : null,
    networkDifficulty: network?.difficulty ?? null,
    height: network?.height ?? null,
    feeWindowBlocks: input.feeWindowBlocks,
    scheme: input.settings.scheme,
    feePercent: input.settings.feePercent,
  };
  if (!network) {
    return { satsPerDay: null, unknownReason: 'network-unknown', basis };
  }
  if (!(input.hashrate > 0)) {
    return { satsPerDay: null, unknownReason: 'no-hashrate', basis };
  }
  return {
    satsPerDay: expectedSatsPerDay(network, input.hashrate, input.settings.feePercent),
    unknownReason: null,
    basis,
  };
}

async function networkOrUndefined(
  db: Queryable,
  nowMs: number,
  windowBlocks: number,
): Promise<NetworkState | undefined> {
  try {
    return await networkAt(db, nowMs, windowBlocks);
  } catch (error) {
    if (error instanceof HwError && error.code === 'HW_ERR_NETWORK_UNKNOWN') {
      return undefined;
    }
    throw error;
  }
}
