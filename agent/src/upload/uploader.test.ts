import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryBatch } from '@hashwatt/schemas';
import { DiskQueue, type Reading } from '../queue/disk-queue.ts';
import { Uploader, type UploaderLog } from './uploader.ts';

const silent: UploaderLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** What a telemetry server saw: every post's size and batch id, and what it stored (once per id). */
interface Seen {
  readonly posts: { readonly bytes: number; readonly batchId: string | undefined; readonly status: number }[];
  readonly stored: Map<string, TelemetryBatch>;
}

/**
 * A telemetry endpoint over real HTTP that, like the pool, refuses a body over `limitBytes`
 * with 413 before storing anything, and stores each batch id once. `answer` can take over.
 */
async function telemetryServer(
  limitBytes: number,
  answer?: (request: IncomingMessage) => { status: number; headers?: Record<string, string> } | undefined,
): Promise<{ url: string; seen: Seen; server: Server }> {
  const seen: Seen = { posts: [], stored: new Map() };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, headers: Record<string, string> = {}, batchId?: string): void => {
        seen.posts.push({ bytes: body.length, batchId, status });
        response.writeHead(status, { 'content-type': 'application/json', ...headers }).end('{}');
      };
      const forced = answer?.(request);
      if (forced) {
        reply(forced.status, forced.headers);
        return;
      }
      if (body.length > limitBytes) {
        // The id is read here only so the test can tell which batch was refused.
        reply(413, {}, (JSON.parse(body.toString('utf8')) as TelemetryBatch).batchId);
        return;
      }
      const batch = JSON.parse(body.toString('utf8')) as TelemetryBatch;
      if (!seen.stored.has(batch.batchId)) {
        seen.stored.set(batch.batchId, batch);
      }
      reply(200, {}, batch.batchId);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, seen, server };
}

const dirs: string[] = [];
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A reading of about 150 bytes of JSON; `energyWh` tells them apart. */
function meter(i: number): Reading {
  return {
    kind: 'meter',
    sample: {
      meter: 'hall-a-main-incomer',
      at: new Date(Date.UTC(2026, 10, 25, 0, 0, i)).toISOString(),
      energyWh: i,
      powerW: 300_000,
    },
  };
}

async function agentWith(
  serverUrl: string,
  maxBodyBytes: number,
  readings: number,
): Promise<{ uploader: Uploader; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'hashwatt-uploader-'));
  dirs.push(dir);
  const queue = await DiskQueue.open(join(dir, 'queue'), { maxBytes: 8 << 20, segmentBytes: 1 << 16 });
  await queue.append(Array.from({ length: readings }, (_, i) => meter(i)));
  const uploader = new Uploader(queue, {
    serverUrl,
    apiKey: 'hwk_test',
    agentVersion: 'test',
    batchSize: 20_000,
    maxBodyBytes,
    timeoutMs: 5_000,
    backoff: { initialMs: 10, maxMs: 100 },
    rejectedDir: join(dir, 'rejected'),
    log: silent,
  });
  return { uploader, dir };
}

/** Each reading's energyWh, over every batch stored, sorted: each once if nothing was stored twice. */
const storedEnergies = (seen: Seen): number[] =>
  [...seen.stored.values()]
    .flatMap((batch) => batch.meters.map((sample) => sample.energyWh))
    .sort((a, b) => a - b);

const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

describe('Uploader and the server body limit', () => {
  it('splits a queue larger than the limit into batches under it, each with its own id', async () => {
    const { url, seen } = await telemetryServer(64 << 10);
    const { uploader } = await agentWith(url, 64 << 10, 2_000);

    expect(await uploader.drain()).toBe(0);

    expect(seen.posts.length).toBeGreaterThan(2);
    expect(seen.posts.every((post) => post.status === 200 && post.bytes <= 64 << 10)).toBe(true);
    expect(new Set(seen.posts.map((post) => post.batchId)).size).toBe(seen.posts.length);
    expect(storedEnergies(seen)).toEqual(range(2_000));
  });

  it('halves a batch the server refuses as too large, under a new id, and never resends a refused body', async () => {
    // The agent believes 256 KiB; the server takes 20 KiB.
    const { url, seen } = await telemetryServer(20 << 10);
    const { uploader } = await agentWith(url, 256 << 10, 2_000);

    expect(await uploader.drain()).toBe(0);

    const refused = seen.posts.filter((post) => post.status === 413);
    expect(refused.length).toBeGreaterThan(0);
    // Halving from ~256 KiB reaches 20 KiB in a few steps, after which the agent keeps under it.
    expect(refused.length).toBeLessThanOrEqual(5);
    for (const { batchId } of refused) {
      expect(seen.posts.filter((post) => post.batchId === batchId)).toHaveLength(1);
    }
    expect(storedEnergies(seen)).toEqual(range(2_000));
  });

  it('sets aside a single reading larger than the server takes instead of retrying it for ever', async () => {
    const { url, seen } = await telemetryServer(100);
    const { uploader, dir } = await agentWith(url, 64 << 10, 4);

    const outcomes = [];
    for (let attempt = 0; attempt < 20 && outcomes.at(-1) !== 'empty'; attempt += 1) {
      outcomes.push(await uploader.uploadOnce());
    }

    expect(outcomes.at(-1)).toBe('empty');
    expect(outcomes).not.toContain('retry');
    expect(uploader.setAside()).toBe(4);
    expect(await readdir(join(dir, 'rejected'))).toHaveLength(4);
    expect(seen.stored.size).toBe(0);
  });

  it("waits at least the server's Retry-After after a 429, then sends the same batch", async () => {
    let limited = true;
    const { url, seen } = await telemetryServer(64 << 10, () =>
      limited ? { status: 429, headers: { 'retry-after': '7' } } : undefined,
    );
    const { uploader } = await agentWith(url, 64 << 10, 10);

    expect(await uploader.uploadOnce()).toBe('retry');
    expect(uploader.pauseMs()).toBeGreaterThanOrEqual(7_000);

    limited = false;
    expect(await uploader.uploadOnce()).toBe('sent');
    expect(storedEnergies(seen)).toEqual(range(10));
    expect(uploader.pauseMs()).toBe(0);
  });
});
