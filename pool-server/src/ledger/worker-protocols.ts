import type pg from 'pg';
import Type, { type Static } from 'typebox';
import { WorkerProtocol } from '@hashwatt/schemas';
import { NO_WORKER } from './batch-rollups.ts';

/**
 * A worker's connection as the ledger keeps it: the protocol it connected with, and when.
 * It names the account as a share does, so a worker that connects before its first share
 * is created with the same payout address its shares would give it.
 */
export const ProtocolRecordSchema = Type.Object({
  timeMs: Type.Number(),
  account: Type.String({ minLength: 1 }),
  worker: Type.String(),
  payoutAddress: Type.Union([Type.String(), Type.Null()]),
  protocol: WorkerProtocol,
});
export type ProtocolRecord = Readonly<Static<typeof ProtocolRecordSchema>>;

/**
 * Sets each worker's protocol to its latest connection's, in the batch's transaction.
 * Several Stratum nodes' batches may be stored out of order: an older connection never
 * overwrites a newer one's.
 */
export async function recordProtocols(
  client: pg.PoolClient,
  records: readonly ProtocolRecord[],
  workerId: (account: string, worker: string) => string,
): Promise<void> {
  const latest = new Map<string, ProtocolRecord>();
  for (const record of records) {
    const id = workerId(record.account, record.worker);
    const before = latest.get(id);
    if (id !== NO_WORKER.id && (before === undefined || before.timeMs <= record.timeMs)) {
      latest.set(id, record);
    }
  }
  if (latest.size === 0) {
    return;
  }
  // In id order: concurrent writers lock the same workers in the same order.
  const ids = [...latest.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  await client.query(
    `UPDATE workers w SET protocol = p.protocol, protocol_at = p.at
       FROM unnest($1::bigint[], $2::text[], $3::timestamptz[]) AS p (id, protocol, at)
      WHERE w.id = p.id AND (w.protocol_at IS NULL OR w.protocol_at <= p.at)`,
    [
      ids,
      ids.map((id) => latest.get(id)?.protocol),
      ids.map((id) => new Date(latest.get(id)?.timeMs ?? 0).toISOString()),
    ],
  );
}
