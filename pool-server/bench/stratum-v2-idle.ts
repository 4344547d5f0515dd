/**
 * The pool stratum-v2.ts measures (stratum-server.ts with Stratum V2 on), and idle
 * connections of one protocol on a fresh pool, their memory read after a full collection
 * as the pool's RSS and as the live heap and buffers of its Stratum thread.
 */
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCertificateFile } from '../src/stratum/v2/noise-keys.ts';
import type { Idle, Memory } from './stratum-v2-report.ts';
import { Child } from './ipc-child.ts';
import { connectMany } from './stratum-miner.ts';
import { openChannels } from './stratum-v2-miner.ts';

export interface V2Pool {
  readonly child: Child;
  readonly port: number;
  readonly sv2Port: number;
  /** The key a miner pins: the authority that signed the certificate the pool made on first start. */
  readonly authorityPublicKey: Buffer;
}

/** A pool with Stratum V1 and V2 on, every hash a share on either; `environment` adds to stratum-server.ts's. */
export async function startV2Pool(
  environment: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<V2Pool> {
  const child = new Child('./stratum-server.ts', {
    environment: { BENCH_PROCESSES: '1', BENCH_STRATUM_V2: '1', ...environment },
    nodeFlags,
  });
  const ready = await child.next('ready');
  const port = Number(ready.port);
  const sv2Port = Number(ready.sv2Port);
  if (!(port > 0 && sv2Port > 0)) {
    throw new Error(`the benchmark pool did not open both Stratum ports: ${JSON.stringify(ready)}`);
  }
  const certificate = readCertificateFile(path.join(String(ready.dataDir), 'sv2-certificate.json'));
  return { child, port, sv2Port, authorityPublicKey: certificate.authorityPublicKey };
}

/** Readings within this of each other, 0.5 s apart, are the memory settled. */
const SETTLED_BYTES = 2 ** 20;
const SETTLE_READINGS = 40;

export interface IdleMeasure {
  readonly idle: Idle;
  /** Readings that had not settled after SETTLE_READINGS (the last was taken). */
  readonly unsettled: number;
}

/** Opens `count` idle connections of `protocol` on `pool`; returns what closes them. */
async function openIdle(pool: V2Pool, protocol: 'V1' | 'V2', count: number): Promise<() => void> {
  if (protocol === 'V1') {
    const miners = await connectMany(pool.port, count, 1);
    return () => {
      for (const miner of miners) {
        miner.socket.destroy();
      }
    };
  }
  const channels = await openChannels(pool.sv2Port, pool.authorityPublicKey, 'standard', count);
  return () => {
    for (const channel of channels) {
      channel.client.close();
    }
  };
}

/**
 * A fresh pool's memory before and with `count` idle connections of `protocol`: V1 miners
 * subscribed, authorized and with a job, or V2 connections with Noise done, a standard
 * channel open and its job received. Each protocol has a pool of its own: after a
 * collection V8 keeps the pages it freed, and connections opened next would fill them.
 * The pool must run Stratum on its main thread (BENCH_STRATUM_THREAD=false) under
 * --expose-gc: each reading follows a full collection there.
 */
export async function idleConnections(
  pool: V2Pool,
  protocol: 'V1' | 'V2',
  count: number,
): Promise<IdleMeasure> {
  let unsettled = 0;
  const memory = async (): Promise<Memory> => {
    const reading = await pool.child.ask('rss', 'rss', { collect: true });
    return { rss: Number(reading.rss), live: Number(reading.live) };
  };
  const settled = async (): Promise<Memory> => {
    let last = await memory();
    for (let reading = 0; reading < SETTLE_READINGS; reading++) {
      await sleep(500);
      const next = await memory();
      if (Math.abs(next.rss - last.rss) < SETTLED_BYTES) {
        return next;
      }
      last = next;
    }
    unsettled++;
    return last;
  };
  // A few opened and closed first: the code paths' first allocations are not a connection's.
  (await openIdle(pool, protocol, Math.min(count, protocol === 'V1' ? 500 : 32)))();
  const before = await settled();
  const close = await openIdle(pool, protocol, count);
  const held = await settled();
  close();
  return { idle: { connections: count, before, with: held }, unsettled };
}
