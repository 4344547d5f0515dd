import Type, { type Static } from 'typebox';
import { Hashrate, HashrateWindows, Nullable, Sats, Timestamp } from './common.ts';
import { PayoutScheme } from './pool.ts';

export const MinerParams = Type.Object({
  account: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[A-Za-z0-9._-]+$',
    description: 'A payout address or an account name: the username before the worker name.',
  }),
});
export type MinerParams = Static<typeof MinerParams>;

export const WorkerParams = Type.Object({
  account: MinerParams.properties.account,
  worker: Type.String({
    minLength: 1,
    // Stratum usernames are at most 128 characters of printable ASCII.
    maxLength: 128,
    pattern: '^[\\x21-\\x7e]+$',
    description: 'The worker as the miner logged in: its whole username.',
  }),
});
export type WorkerParams = Static<typeof WorkerParams>;

/**
 * Shares by outcome. The pool stores two reasons for a refusal: `stale` (work for a
 * block already past) and `rejected` (every other reason: low difficulty, duplicate,
 * unknown job, bad time or version bits).
 */
export const ShareCounts = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  /** Refused for anything but stale work: duplicate, lowDifficulty and invalid add up to it. */
  rejected: Type.Integer({ minimum: 0 }),
  stale: Type.Integer({ minimum: 0 }),
  duplicate: Type.Integer({ minimum: 0 }),
  /** Under the difficulty the pool had set for the worker. */
  lowDifficulty: Type.Integer({ minimum: 0 }),
  /** Malformed or impossible: an unknown job, a time or version out of range, a bad field. */
  invalid: Type.Integer({ minimum: 0 }),
  /** Refused (rejected and stale) of all sent; null when none were sent. */
  rejectRate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
});
export type ShareCounts = Static<typeof ShareCounts>;

/** How a worker connects to the pool's Stratum server. */
export const WorkerProtocol = Type.Union([
  Type.Literal('v1', { description: 'Stratum V1: JSON lines.' }),
  Type.Literal('v2', { description: "Stratum V2 (binary, encrypted) on the pool's jobs." }),
  Type.Literal('v2-declared', {
    description: 'Stratum V2 on jobs the miner declared itself (work selection, Job Declaration).',
  }),
]);
export type WorkerProtocol = Static<typeof WorkerProtocol>;

export const WorkerStats = Type.Object({
  name: Type.String(),
  hashrate: HashrateWindows,
  /** The last minute it had a share accepted; null when it has none in the last day. */
  lastShareAt: Nullable(Timestamp),
  /** Over the last 24 hours. */
  shares: ShareCounts,
  /**
   * The protocol of its latest connection; null when it has not connected since the pool
   * began recording protocols.
   */
  protocol: Nullable(WorkerProtocol),
});
export type WorkerStats = Static<typeof WorkerStats>;

/**
 * What the account would earn in a day at its last day's hashrate and the network's
 * hashprice now: an expectation, not a promise (luck, PPLNS windows and fee changes
 * move what is credited). Null with a reason when an input is missing.
 */
export const EarningsEstimate = Type.Object({
  satsPerDay: Nullable(Type.Number({ minimum: 0 })),
  unknownReason: Nullable(
    Type.Union([
      Type.Literal('no-hashrate', { description: 'No share accepted in the last 24 hours.' }),
      Type.Literal('network-unknown', { description: 'The pool has seen no block template yet.' }),
    ]),
  ),
  /** What the estimate assumes. */
  basis: Type.Object({
    /** The account's average over the last 24 hours. */
    hashrate: Hashrate,
    hashpriceSatsPerThDay: Nullable(Type.Number({ minimum: 0 })),
    networkDifficulty: Nullable(Type.Number({ minimum: 0 })),
    height: Nullable(Type.Integer({ minimum: 0 })),
    /** Fees averaged over this many blocks. */
    feeWindowBlocks: Type.Integer({ minimum: 1 }),
    scheme: PayoutScheme,
    /** The pool's fee taken off; SOLO miners pay the SOLO fee and earn only when they find a block. */
    feePercent: Type.Number({ minimum: 0 }),
  }),
});
export type EarningsEstimate = Static<typeof EarningsEstimate>;

export const MinerStats = Type.Object({
  account: Type.String(),
  /** Where payouts go; null when the account has none (nothing can be paid to it). */
  payoutAddress: Nullable(Type.String()),
  hashrate: HashrateWindows,
  workers: Type.Array(WorkerStats),
  shares: ShareCounts,
  earnings: EarningsEstimate,
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

/** A Stratum port a miner may connect to. */
export const StratumEndpoint = Type.Object({
  scheme: Type.Union([Type.Literal('stratum+tcp'), Type.Literal('stratum+ssl')]),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  /** Every miner on this port mines SOLO. */
  solo: Type.Boolean(),
});
export type StratumEndpoint = Static<typeof StratumEndpoint>;

/** How a miner connects: ports, the chain its addresses must be of, and the difficulty it may ask for. */
export const ConnectInfo = Type.Object({
  chain: Type.String(),
  /**
   * The names miners reach the Stratum ports at (stratum.publicHosts). Empty when the pool
   * was not told them: the page then offers the host the dashboard came from.
   */
  hosts: Type.Array(Type.String()),
  /** Every port is open at every host. */
  endpoints: Type.Array(StratumEndpoint),
  difficulty: Type.Object({
    /** Vardiff starts here and aims at one share every targetShareSeconds. */
    start: Type.Number({ exclusiveMinimum: 0 }),
    min: Type.Number({ exclusiveMinimum: 0 }),
    max: Type.Number({ exclusiveMinimum: 0 }),
    targetShareSeconds: Type.Number({ exclusiveMinimum: 0 }),
    /** `d=N` in the password fixes the difficulty, kept within min and max. */
    passwordOption: Type.Literal('d='),
  }),
  /** A password of `solo` (or m=solo) mines SOLO on any port. */
  soloPasswordOption: Type.Literal('solo'),
  /** Stratum V2 (stratum.v2Port) at every host; null when the pool does not serve it. */
  sv2: Nullable(
    Type.Object({
      port: Type.Integer({ minimum: 1, maximum: 65535 }),
      /**
       * [sv2-spec 4.7] The key miners pin, as the path of `stratum2+tcp://host:port/<key>`:
       * base58-check of version 1 and the x-only key. Null while this server does not know
       * it: the pool makes it at its first start with Stratum V2, and an API without the
       * pool's data directory knows it only from sv2Noise.authorityPublicKey.
       */
      authorityPublicKey: Nullable(Type.String({ pattern: '^[1-9A-HJ-NP-Za-km-z]{40,60}$' })),
      /**
       * [sv2-spec 6] The Job Declaration Server (stratum.jdsPort) at every host, under the same
       * authority key: where a farm's Job Declarator Client declares its own templates. Null
       * when the pool runs none.
       */
      jdsPort: Nullable(Type.Integer({ minimum: 1, maximum: 65535 })),
    }),
  ),
});
export type ConnectInfo = Static<typeof ConnectInfo>;
