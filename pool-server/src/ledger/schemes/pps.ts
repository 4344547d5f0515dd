import { minerBook, post } from '../books.ts';
import { read, type Live } from '../pool-settings.ts';
import type { BatchHook, ShareRecord } from '../share-store.ts';

/**
 * PPS pays each share its expected value at once: the block subsidy times the chance
 * the share was a block (difficulty / network difficulty), less the pool fee. FPPS
 * counts the template's transaction fees in the block value too. The pool keeps what
 * its blocks bring and carries the luck.
 */
export type PerShareScheme = 'pps' | 'fpps';

const BASIS_POINTS = 10_000;

/** The share's worth in satoshis, before flooring. */
export function shareValue(share: ShareRecord, scheme: PerShareScheme, feeBasisPoints: number): number {
  const blockValue = scheme === 'fpps' ? share.subsidy + share.fees : share.subsidy;
  return ((blockValue * share.difficulty) / share.networkDifficulty) * (1 - feeBasisPoints / BASIS_POINTS);
}

/** Credits each batch's shares in its own transaction: stored once, credited once. */
export function perShareCredits(scheme: PerShareScheme, fee: Live<number>): BatchHook {
  return async (client, batch, ids) => {
    const feeBasisPoints = await read(fee);
    const credits = new Map<string, number>();
    for (let index = 0; index < batch.shares.length; index++) {
      const share = batch.shares.at(index) as ShareRecord;
      if (!share.solo) {
        const account = ids.account(share.account);
        credits.set(account, (credits.get(account) ?? 0) + shareValue(share, scheme, feeBasisPoints));
      }
    }
    const entries = [...credits]
      .map(([account, value]) => ({ book: minerBook(account), amount: BigInt(Math.floor(value)) }))
      .filter((entry) => entry.amount > 0n);
    const total = entries.reduce((sum, entry) => sum + entry.amount, 0n);
    if (total > 0n) {
      await post(client, 'pps-credit', [...entries, { book: 'pool:pps', amount: -total }]);
    }
  };
}
