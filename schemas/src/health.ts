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

/** GET /healthz: the process answers. Nothing is checked beyond that; /readyz checks the parts. */
export const Liveness = Type.Object({
  status: Type.Literal('alive'),
});
export type Liveness = Static<typeof Liveness>;

/** GET /readyz: whether this process can do its work now; answered 200 when ready, 503 when not. */
export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not-ready')], {
    description: 'not-ready when any part below is not reachable or not writable.',
  }),
  database: Nullable(
    Type.Object({ reachable: Type.Boolean() }, { description: 'null: this process keeps no database.' }),
  ),
  node: Type.Object({ reachable: Type.Boolean({ description: 'The Bitcoin node answered getmininginfo.' }) }),
  nats: Nullable(
    Type.Object(
      { reachable: Type.Boolean({ description: 'The NATS server answered a round trip.' }) },
      { description: 'null: no NATS is configured.' },
    ),
  ),
  journals: HealthReport.properties.journals,
  timescaleJobs: Nullable(
    Type.Object(
      {
        failing: Type.Integer({ minimum: 0 }),
        names: Type.Array(Type.String(), { description: 'As "Compression Policy [1002]".' }),
      },
      {
        description:
          "TimescaleDB's background jobs whose last run failed (compression, retention). They leave the process ready: shares are stored without them, only compression and retention wait. null: no TimescaleDB in this process's database, no database, or it did not answer.",
      },
    ),
  ),
  checkedAt: Timestamp,
});
export type Readiness = Static<typeof Readiness>;
