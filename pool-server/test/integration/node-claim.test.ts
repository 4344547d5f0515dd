/**
 * Starts: the local NATS server with JetStream (127.0.0.1:4222; a claims bucket of this
 * test's own, removed after). Stratum nodes claim their node ids: a second instance
 * is refused with a message naming the holder, the same instance restarted takes its
 * claim back, a released id is free, and a node whose id is taken from it is told.
 */
import { randomUUID } from 'node:crypto';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimNodeId, NodeIdTaken } from '../../src/stratum/node-claim.ts';
import { eventually } from '../helpers/eventually.ts';

describe('node id claims in a JetStream key-value bucket', () => {
  let nc: NatsConnection;
  const bucket = `HASHWATT_CLAIMS_TEST_${randomUUID().slice(0, 8)}`;
  const settings = (instance: string, nodeId = 5) => ({ bucket, nodeId, instance, ttlMs: 1_500 });
  const ignoreLoss = (): void => undefined;

  beforeAll(async () => {
    nc = await connect({ servers: '127.0.0.1:4222' });
  });

  afterAll(async () => {
    await new Kvm(nc).open(bucket).then((kv) => kv.destroy());
    await nc.close();
  });

  it('refuses a second instance, gives a restarted one its claim back, frees a released id', async () => {
    const first = await claimNodeId(nc, settings('instance-a'), ignoreLoss);
    const refused = claimNodeId(nc, settings('instance-b'), ignoreLoss);
    await expect(refused).rejects.toBeInstanceOf(NodeIdTaken);
    await expect(refused).rejects.toThrow(
      /^stratum\.nodeId 5 is held by another Stratum node \(host .+, pid \d+, since .+\): give each node its own id$/,
    );
    // Killed without a goodbye and started again from the same data directory.
    const again = await claimNodeId(nc, settings('instance-a'), ignoreLoss);
    await again.release();
    await first.release();
    const other = await claimNodeId(nc, settings('instance-b'), ignoreLoss);
    await other.release();
  });

  it('tells a node whose id another instance took while it could not renew', async () => {
    const losses: Error[] = [];
    const claim = await claimNodeId(nc, settings('instance-c', 6), (error) => losses.push(error));
    const kv = await new Kvm(nc).open(bucket);
    await kv.put('node-6', JSON.stringify({ instance: 'intruder', host: 'elsewhere', pid: 1, since: 'now' }));
    const lost = await eventually(() => losses[0], 'the loss reported');
    expect(lost.message).toContain('host elsewhere');
    await claim.release();
  });
});
