// Every captured reply of a firmware the agent reads, served by emulators on real
// sockets (cgminer API or HTTP), read by that firmware's driver: whatever the capture
// holds, broken JSON and all, the sample is one the server's schema accepts, and it
// says what the captures say (test/sweep-expected.ts). `pnpm --filter @hashwatt/agent
// sweep` prints the per-family table kept in agent/README.md.
import { describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import { MinerSample } from '@hashwatt/schemas';
import { EXPECTED } from '../sweep-expected.ts';
import { FAMILIES, driverOf, observed, readVariant, variants, wrongFields } from '../sweep.ts';

const found = variants();

describe('every captured reply, read by its driver', () => {
  it('covers the captures of every firmware family, each read by a driver the agent has', () => {
    expect(Object.keys(FAMILIES).filter((family) => driverOf(family) === undefined)).toEqual([]);
    expect(new Set([...found.values()].map((variant) => variant.family))).toEqual(
      new Set(Object.keys(FAMILIES)),
    );
    expect(
      [...found.values()].reduce((sum, variant) => sum + variant.captures.length, 0),
    ).toBeGreaterThanOrEqual(90);
  });

  it('has what the captures say written down for every captured device', () => {
    expect([...found.keys()].filter((name) => EXPECTED[name] === undefined)).toEqual([]);
  });

  it.each([...found.entries()])('%s: a sample the server accepts, read right', async (name, variant) => {
    const sample = await readVariant(variant);
    const problems = [...Value.Errors(MinerSample, sample)].map(
      (error) => `${error.instancePath} ${error.message}`,
    );
    expect(problems).toEqual([]);
    expect(sample.collection.sources.length).toBeGreaterThan(0);
    const want = EXPECTED[name];
    expect(want).toBeDefined();
    expect(want && wrongFields(want, observed(sample))).toEqual([]);
  });
});

describe('the checks the sweep makes', () => {
  it('names a field read otherwise, a figure off by more than 0.1 %, and one that should be absent', () => {
    const got = observed({
      device: '10.0.0.1:4028',
      at: '2026-11-25T12:00:00.000Z',
      identity: { make: 'Antminer', firmware: 'stock', algorithm: 'sha256d' },
      state: 'mining',
      hashrate: 16.35e12,
      boards: [{ slot: 0 }],
      fans: [],
      pools: [],
      messages: [],
      collection: { latencyMs: 0, sources: ['rpc:stats'], warnings: [] },
    });
    // A D3 read as 16.3 TH/s of SHA-256: wrong algorithm, wrong hashrate.
    expect(wrongFields({ make: 'Antminer', algorithm: 'x11', hashrate: 16.35e9, boards: 1 }, got)).toEqual([
      'algorithm',
      'hashrate',
    ]);
    expect(wrongFields({ hashrate: 16.36e12 }, got)).toEqual([]);
    expect(wrongFields({ hashrate: 16.4e12, powerW: null }, got)).toEqual(['hashrate']);
    expect(wrongFields({ hashrate: null }, got)).toEqual(['hashrate']);
  });
});
