import { MessageChannel } from 'node:worker_threads';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockOutcome } from '../chain/block-submitter.ts';
import { SHARE } from '../../test/helpers/share-writer.ts';
import { ShareColumns } from './share-columns.ts';
import type { ShareBatch, ShareRecord } from './share-store.ts';
import type { NetworkFacts } from './share-stream.ts';
import { serveStorageChannel, StorageChannel } from './storage-channel.ts';

const BLOCK: BlockOutcome = {
  height: 812,
  hash: '00'.repeat(32),
  reward: 5_000_000_000n,
  fees: 12_345n,
  networkDifficulty: 1,
  finder: { account: SHARE.account, worker: SHARE.worker },
  solo: false,
  foundAtMs: 1_700_000_000_000,
  status: 'accepted',
  detail: 'accepted',
};
const FACTS: NetworkFacts = { height: 812, difficulty: 1, feesSats: 12_345, atMs: 1_700_000_000_000 };

const recordsOf = (batch: ShareBatch): (ShareRecord | undefined)[] =>
  Array.from({ length: batch.shares.length }, (_, index) => batch.shares.at(index));

describe('the storage channel between the Stratum thread and the database', () => {
  const channels: MessageChannel[] = [];
  afterEach(() => {
    for (const { port1, port2 } of channels.splice(0)) {
      port1.close();
      port2.close();
    }
  });

  /** Both ends on one MessageChannel; what the storing end received, and how it answers. */
  function connect(answer: (batch: ShareBatch) => Promise<'stored' | 'duplicate'>) {
    const channel = new MessageChannel();
    channels.push(channel);
    const received: { batches: ShareBatch[]; blocks: BlockOutcome[]; facts: NetworkFacts[] } = {
      batches: [],
      blocks: [],
      facts: [],
    };
    const stop = serveStorageChannel(
      channel.port2,
      {
        shares: {
          store(batch) {
            received.batches.push(batch);
            return answer(batch);
          },
        },
        block(outcome) {
          received.blocks.push(outcome);
          return Promise.resolve();
        },
        network(facts) {
          received.facts.push(facts);
          return Promise.resolve();
        },
      },
      pino({ level: 'silent' }),
    );
    return { sender: new StorageChannel(channel.port1), received, stop };
  }

  it('hands over a batch filled in memory and one read back from its journal file, each once stored', async () => {
    const { sender, received } = connect(() => Promise.resolve('stored'));
    const columns = new ShareColumns();
    const shares = [SHARE, { ...SHARE, worker: 'rig-02', block: true }];
    for (const share of shares) {
      columns.push(share, share);
    }
    const rejects = [{ timeMs: SHARE.timeMs, account: SHARE.account, worker: 'rig-03', stale: true }];
    const id = '00000000-0000-4000-8000-000000000001';
    await expect(sender.store({ id, nodeId: 3, shares: columns, rejects })).resolves.toBe('stored');
    await expect(sender.store({ id, nodeId: 3, shares, rejects: [] })).resolves.toBe('stored');
    expect(
      received.batches.map((batch) => [batch.id, batch.nodeId, recordsOf(batch), batch.rejects]),
    ).toEqual([
      [id, 3, shares, rejects],
      [id, 3, shares, []],
    ]);
    // The columns stay the writer's: it empties and fills them again.
    expect(columns.length).toBe(2);
  });

  it('says a batch was a duplicate when the database had it already', async () => {
    const { sender } = connect(() => Promise.resolve('duplicate'));
    await expect(
      sender.store({ id: '00000000-0000-4000-8000-000000000002', nodeId: 0, shares: [SHARE], rejects: [] }),
    ).resolves.toBe('duplicate');
  });

  it('hands over found blocks, their amounts as bigints, and template facts', async () => {
    const { sender, received } = connect(() => Promise.resolve('stored'));
    await sender.block(BLOCK);
    await sender.network(FACTS);
    expect(received.blocks).toEqual([BLOCK]);
    expect(received.facts).toEqual([FACTS]);
  });

  it('fails a handoff the database did not take, with its reason, so the journal keeps it', async () => {
    const { sender } = connect(() => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')));
    await expect(
      sender.store({ id: '00000000-0000-4000-8000-000000000003', nodeId: 0, shares: [SHARE], rejects: [] }),
    ).rejects.toThrow('connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('fails what waits, and whatever comes after, once the storing side is gone', async () => {
    const { sender, stop } = connect(() => Promise.resolve('stored'));
    stop();
    const waiting = sender.network(FACTS);
    sender.close('the Stratum thread stopped');
    await expect(waiting).rejects.toThrow('the Stratum thread stopped');
    await expect(sender.block(BLOCK)).rejects.toThrow('the Stratum thread stopped');
  });
});
