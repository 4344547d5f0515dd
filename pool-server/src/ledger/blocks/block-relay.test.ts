import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockJournal } from './block-journal.ts';
import type { BlockOutcome } from '../../chain/block-submitter.ts';
import { BlockRelay } from './block-relay.ts';

/** A found block as the submitter records it (the relay reads only its hash). */
const FOUND: BlockOutcome = {
  hash: '0000000000000000000320283a032748cef8227873ff4872689bf23f1cda83a5',
  height: 840_000,
  reward: 3_125_000_000n + 25_000_000n,
  fees: 25_000_000n,
  networkDifficulty: 86_388_558_925_171,
  finder: { account: 'bc1qxhmdufsvnuaaaer4ynz88fspdsxq2h9e9cetdj', worker: 'rig1' },
  solo: false,
  foundAtMs: Date.UTC(2026, 10, 26, 12, 0, 0),
  status: 'accepted',
  detail: '',
};

interface Handed {
  readonly hash: string;
  readonly afterBatch: string | undefined;
}

/** A share writer whose flush finishes when the test says so, sealing the given batch. */
function gatedWriter(batchId: string) {
  let release: (() => void) | undefined;
  let sealed: string | undefined;
  const flushing = { started: false };
  return {
    writer: {
      get lastSealed() {
        return sealed;
      },
      flush: () => {
        flushing.started = true;
        return new Promise<void>((resolve) => {
          release = () => {
            sealed = batchId;
            resolve();
          };
        });
      },
    },
    flushing,
    finishFlush: () => release?.(),
  };
}

describe('BlockRelay', () => {
  let folder: string;
  let journal: BlockJournal;
  let handed: Handed[];
  let failHands: number;
  const hand = (outcome: BlockOutcome, afterBatch: string | undefined): Promise<void> => {
    if (failHands > 0) {
      failHands--;
      return Promise.reject(new Error('nats: no responders'));
    }
    handed.push({ hash: outcome.hash, afterBatch });
    return Promise.resolve();
  };

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-relay-'));
    journal = new BlockJournal(path.join(folder, 'blocks.jsonl'));
    handed = [];
    failHands = 0;
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('hands a block found here on once, with its batch, even when a resend runs while it is being recorded', async () => {
    const { writer, flushing, finishFlush } = gatedWriter('node-1-batch-42');
    const relay = new BlockRelay({ journal, writer, hand });

    const recording = relay.record(FOUND);
    await expect.poll(() => flushing.started).toBe(true);
    // The block is in the journal now, its batch not yet sealed: the resend's moment.
    expect((await journal.read()).blocks.map((block) => block.hash)).toEqual([FOUND.hash]);
    await relay.resendJournalled();
    expect(handed).toEqual([]);
    finishFlush();
    await recording;
    await relay.resendJournalled();

    expect(handed).toEqual([{ hash: FOUND.hash, afterBatch: 'node-1-batch-42' }]);
  });

  it('hands on, once, a journalled block an earlier run of the node never handed', async () => {
    await journal.record(FOUND);
    const relay = new BlockRelay({ journal, writer: gatedWriter('unused').writer, hand });

    await relay.resendJournalled();
    await relay.resendJournalled();

    expect(handed).toEqual([{ hash: FOUND.hash, afterBatch: undefined }]);
  });

  it('keeps a block it could not hand on in the journal and hands it with the next resend', async () => {
    const { writer, flushing, finishFlush } = gatedWriter('node-1-batch-43');
    const relay = new BlockRelay({ journal, writer, hand });
    failHands = 1;

    const recording = relay.record(FOUND);
    await expect.poll(() => flushing.started).toBe(true);
    finishFlush();
    await expect(recording).rejects.toThrow('no responders');
    await relay.resendJournalled();

    expect(handed).toEqual([{ hash: FOUND.hash, afterBatch: undefined }]);
  });

  it('tries a resend that failed again next time', async () => {
    await journal.record(FOUND);
    const relay = new BlockRelay({ journal, writer: gatedWriter('unused').writer, hand });
    failHands = 1;

    await expect(relay.resendJournalled()).rejects.toThrow('no responders');
    await relay.resendJournalled();

    expect(handed).toEqual([{ hash: FOUND.hash, afterBatch: undefined }]);
  });
});
