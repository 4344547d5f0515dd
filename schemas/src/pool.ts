import Type, { type Static } from 'typebox';
import { Hashrate, HashrateWindows, Nullable, Sats, Timestamp } from './common.ts';

export const PayoutScheme = Type.Union([Type.Literal('pplns'), Type.Literal('pps'), Type.Literal('fpps')]);

export const BlockStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('confirmed'),
  Type.Literal('orphaned'),
  Type.Literal('rejected'),
]);

export const Block = Type.Object({
  height: Type.Integer({ minimum: 0 }),
  hash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  reward: Sats,
  fees: Sats,
  finder: Type.String({ description: 'The account (payout address) whose share it was.' }),
  worker: Type.String(),
  /** Pool shares since the previous pool block over network difficulty; null for SOLO. */
  effort: Nullable(Type.Number({ minimum: 0 })),
  scheme: Type.Union([PayoutScheme, Type.Literal('solo')]),
  status: BlockStatus,
  confirmations: Type.Integer({ minimum: 0 }),
  foundAt: Timestamp,
});
export type Block = Static<typeof Block>;

export const BlocksPage = Type.Object({
  blocks: Type.Array(Block),
  next: Type.Union([Type.Integer(), Type.Null()], { description: 'The `before` cursor of the next page.' }),
});
export type BlocksPage = Static<typeof BlocksPage>;

export const Payment = Type.Object({
  id: Type.String({ format: 'uuid' }),
  txid: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  total: Sats,
  recipients: Type.Integer({ minimum: 1 }),
  sentAt: Timestamp,
});
export type Payment = Static<typeof Payment>;

export const PaymentsPage = Type.Object({
  payments: Type.Array(Payment),
  next: Nullable(Type.Integer()),
});
export type PaymentsPage = Static<typeof PaymentsPage>;

export const PoolSummary = Type.Object({
  hashrate: HashrateWindows,
  /** Accounts and workers with a share in the last 10 minutes. */
  miners: Type.Integer({ minimum: 0 }),
  workers: Type.Integer({ minimum: 0 }),
  network: Type.Object({
    chain: Type.String(),
    height: Type.Integer({ minimum: 0 }),
    difficulty: Type.Number({ minimum: 0 }),
    hashrate: Hashrate,
  }),
  fee: Type.Object({
    scheme: PayoutScheme,
    percent: Type.Number({ minimum: 0 }),
    soloPercent: Type.Number({ minimum: 0 }),
  }),
  payouts: Type.Object({
    thresholdSats: Sats,
    maturityConfirmations: Type.Integer({ minimum: 1 }),
  }),
  lastBlocks: Type.Array(Block),
  updatedAt: Timestamp,
});
export type PoolSummary = Static<typeof PoolSummary>;
