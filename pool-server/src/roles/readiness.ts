/** This process's readiness: what /readyz, /api/health and the metrics listener tell. */
import type { Readiness } from '@hashwatt/schemas';
import { checkReadiness, databaseProbes, oneAtATime } from '../api/health.ts';
import type { BitcoinRpcClient } from '../chain/rpc-client.ts';
import type { Database } from '../db/pool.ts';
import type { LedgerBus } from '../ledger/share-stream.ts';
import type { JournalStates } from './journals.ts';

/**
 * The parts of this process asked at once: its database (if it keeps one), the node
 * (getblockcount, past the API's cached figures), NATS (a round trip, when configured),
 * its Stratum nodes' journals and TimescaleDB's failing jobs; one check at a time, however many probes ask.
 */
export function processReadiness(parts: {
  readonly db: Database | undefined;
  readonly rpc: BitcoinRpcClient;
  readonly bus: LedgerBus | undefined;
  readonly journals: JournalStates;
}): () => Promise<Readiness> {
  const { db, rpc, bus, journals } = parts;
  return oneAtATime(() =>
    checkReadiness({
      ...(db ? databaseProbes(db) : { database: undefined, timescaleJobs: undefined }),
      node: () => rpc.call('getblockcount'),
      nats:
        bus &&
        (async () => {
          const nc = bus.connection;
          if (!nc) {
            throw new Error('NATS has not been reached yet');
          }
          await nc.flush();
        }),
      journals: () => journals.list(),
      now: () => Date.now(),
    }),
  );
}
