import type { MinerSample } from '@hashwatt/schemas';

/** The least a miner's reading can say: who it is and that it mines; for tests that need a device to exist. */
export function bareSample(device: string, at: string): MinerSample {
  return {
    device,
    at,
    identity: { make: 'Antminer', firmware: 'stock', algorithm: 'sha256d' },
    state: 'mining',
    boards: [],
    fans: [],
    pools: [],
    messages: [],
    collection: { latencyMs: 1, sources: [], warnings: [] },
  };
}
