import Type, { type Static } from 'typebox';
import { Nullable, Timestamp } from './common.ts';

/** A file the pool must write to keep its promises, as one Stratum node writes it. */
export const JournalHealth = Type.Object({
  journal: Type.Union([Type.Literal('shares'), Type.Literal('blocks')], {
    description: 'shares: accepted shares are written here before the miner is told; blocks: found blocks.',
  }),
  nodeId: Type.Integer({ minimum: 0, description: 'The Stratum node (process) that writes it.' }),
  writable: Type.Boolean({ description: 'false: shares are refused (Stratum error 20) until it is again.' }),
  unwritableSince: Nullable(Timestamp),
  problem: Nullable(
    Type.String({ description: "The failed write's error code (ENOSPC: the disk is full, EIO, …)." }),
  ),
});
export type JournalHealth = Static<typeof JournalHealth>;

export const HealthReport = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')], {
    description: 'degraded when any part below is not reachable or not writable.',
  }),
  database: Type.Object({ reachable: Type.Boolean() }),
  node: Type.Object({ reachable: Type.Boolean({ description: 'The Bitcoin node answered getmininginfo.' }) }),
  journals: Type.Array(JournalHealth, {
    description: "The journals of this process's Stratum nodes; none in a process without the stratum role.",
  }),
  checkedAt: Timestamp,
});
export type HealthReport = Static<typeof HealthReport>;
