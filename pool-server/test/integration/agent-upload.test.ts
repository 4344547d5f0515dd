/**
 * Starts: the HTTP API on a real PostgreSQL database, listening on a real port, and the
 * agent's disk queue and uploader (@hashwatt/agent) in a temporary folder. Between
 * them, for one test, a proxy that loses the server's answer, as a timeout does.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterSample } from '@hashwatt/schemas';
import type { UploaderLog } from '@hashwatt/agent';
import { DiskQueue, Uploader } from '@hashwatt/agent/testing';
import { countRows } from '../helpers/database.ts';
import { farmOfOperator, startTestApi, type TestApi } from '../helpers/api.ts';

const silent: UploaderLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function reading(i: number): { kind: 'meter'; sample: MeterSample } {
  return {
    kind: 'meter',
    sample: {
      meter: 'hall-a',
      at: new Date(Date.UTC(2026, 10, 25, 0, i)).toISOString(),
      energyWh: 1_000 + i,
      powerW: 300_000,
    },
  };
}

/**
 * Forwards to the API; while `lose` is set it lets the API answer, then cuts the agent's
 * connection; while `down` is set it cuts it at once, as a server that is gone.
 */
function lossyProxy(target: number): { server: Server; lose: { on: boolean }; down: { on: boolean } } {
  const lose = { on: false };
  const down = { on: false };
  const server = createServer((incoming, outgoing) => {
    if (down.on) {
      incoming.socket.destroy();
      return;
    }
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: target,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        if (lose.on) {
          answer.resume();
          answer.on('end', () => outgoing.socket?.destroy());
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forwarded);
  });
  return { server, lose, down };
}

describe('agent queue to server', () => {
  let api: TestApi;
  let key: string;
  let apiUrl: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    api = await startTestApi();
    key = (await farmOfOperator(api, 'op@farm.test')).agentKey;
    apiUrl = await api.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await api.close();
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  async function agentAt(
    serverUrl: string,
    apiKey = key,
  ): Promise<{ queue: DiskQueue; uploader: Uploader; dir: string }> {
    const dir = await mkdtemp(join(tmpdir(), 'hashwatt-agent-'));
    dirs.push(dir);
    const queue = await DiskQueue.open(join(dir, 'queue'), { maxBytes: 1 << 20, segmentBytes: 1 << 16 });
    const uploader = new Uploader(queue, {
      serverUrl,
      apiKey,
      agentVersion: 'test',
      batchSize: 2,
      maxBodyBytes: 4 << 20,
      timeoutMs: 2_000,
      backoff: { initialMs: 10, maxMs: 100 },
      rejectedDir: join(dir, 'rejected'),
      log: silent,
    });
    return { queue, uploader, dir };
  }

  const storedMeterReadings = (): Promise<number> => countRows(api.database.db, 'meter_samples');

  it('delivers every queued reading, in batches, and empties the queue', async () => {
    const { queue, uploader } = await agentAt(apiUrl);
    await queue.append([1, 2, 3, 4, 5].map(reading));
    expect(await uploader.drain()).toBe(0);
    expect(await queue.next(10)).toBeUndefined();
    expect(await storedMeterReadings()).toBe(5);
  });

  it('a batch whose answer was lost is sent again with its id and stored once', async () => {
    const before = await storedMeterReadings();
    const proxy = lossyProxy(Number(new URL(apiUrl).port));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const { queue, uploader } = await agentAt(
      `http://127.0.0.1:${String((proxy.server.address() as AddressInfo).port)}`,
    );
    await queue.append([10, 11].map(reading));
    proxy.lose.on = true;
    expect(await uploader.uploadOnce()).toBe('retry');
    expect(await storedMeterReadings()).toBe(before + 2);
    proxy.lose.on = false;
    expect(await uploader.uploadOnce()).toBe('sent');
    expect(await storedMeterReadings()).toBe(before + 2);
    expect(await queue.next(10)).toBeUndefined();
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  it('loses the server for an hour of polls, then delivers every reading once, a lost answer included', async () => {
    const before = await storedMeterReadings();
    const proxy = lossyProxy(Number(new URL(apiUrl).port));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const { queue, uploader } = await agentAt(
      `http://127.0.0.1:${String((proxy.server.address() as AddressInfo).port)}`,
    );
    proxy.down.on = true;
    // An hour of minutes: each poll's reading is queued, each upload attempt fails.
    for (let minute = 0; minute < 60; minute += 1) {
      await queue.append([reading(1_000 + minute)]);
      expect(await uploader.uploadOnce()).toBe('retry');
    }
    expect(await storedMeterReadings()).toBe(before);
    proxy.down.on = false;
    // The first answer after the outage is lost too: the batch goes again, stored once.
    proxy.lose.on = true;
    expect(await uploader.uploadOnce()).toBe('retry');
    proxy.lose.on = false;
    expect(await uploader.drain()).toBe(0);
    expect(await queue.next(10)).toBeUndefined();
    expect(await storedMeterReadings()).toBe(before + 60);
    await new Promise((resolve) => proxy.server.close(resolve));
  });

  it('keeps everything while the server is down or refuses the key, and backs off', async () => {
    const down = await agentAt('http://127.0.0.1:2');
    await down.queue.append([reading(20)]);
    expect(await down.uploader.uploadOnce()).toBe('retry');
    expect(await down.uploader.uploadOnce()).toBe('retry');
    expect(down.uploader.pauseMs()).toBeGreaterThanOrEqual(16);
    expect((await down.queue.next(10))?.readings).toHaveLength(1);

    const refused = await agentAt(apiUrl, 'hwk_revokedorwrong');
    await refused.queue.append([reading(21)]);
    expect(await refused.uploader.uploadOnce()).toBe('retry');
    expect((await refused.queue.next(10))?.readings).toHaveLength(1);
  });

  it('sets an invalid batch aside in a file and goes on with the next', async () => {
    const { queue, uploader, dir } = await agentAt(apiUrl);
    const broken = { kind: 'meter' as const, sample: { ...reading(30).sample, energyWh: -1 } };
    await queue.append([broken, reading(31)]);
    const before = await storedMeterReadings();
    expect(await uploader.uploadOnce()).toBe('set-aside');
    expect(await readdir(join(dir, 'rejected'))).toHaveLength(1);
    await queue.append([reading(32)]);
    expect(await uploader.drain()).toBe(0);
    expect(await storedMeterReadings()).toBe(before + 1);
    expect(uploader.setAside()).toBe(1);
  });
});
