import Type, { type Static } from 'typebox';
import { HashrateWindows, Nullable, Sats, Timestamp } from './common.ts';

export const MinerParams = Type.Object({
  account: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'A payout address or an account name: the username before the worker name.',
  }),
});
export type MinerParams = Static<typeof MinerParams>;

export const ShareCounts = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  rejected: Type.Integer({ minimum: 0 }),
  stale: Type.Integer({ minimum: 0 }),
});
export type ShareCounts = Static<typeof ShareCounts>;

export const WorkerStats = Type.Object({
  name: Type.String(),
  hashrate: HashrateWindows,
  /** The last minute it had a share accepted; null when it has none in the last day. */
  lastShareAt: Nullable(Timestamp),
  /** Over the last 24 hours. */
  shares: ShareCounts,
});
export type WorkerStats = Static<typeof WorkerStats>;

export const MinerStats = Type.Object({
  account: Type.String(),
  payoutAddress: Nullable(Type.String()),
  hashrate: HashrateWindows,
  workers: Type.Array(WorkerStats),
  shares: ShareCounts,
  balance: Type.Object({
    immature: Sats,
    payable: Sats,
    paid: Sats,
  }),
  payments: Type.Array(
    Type.Object({
      txid: Type.String({ pattern: '^[0-9a-f]{64}$' }),
      amount: Sats,
      address: Type.String(),
      sentAt: Timestamp,
    }),
  ),
});
export type MinerStats = Static<typeof MinerStats>;
