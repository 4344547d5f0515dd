/**
 * The pool stratum-v2.ts measures (stratum-server.ts with Stratum V2 on), and its idle
 * connections: V1 miners, then V2 connections with a channel open, each set's memory read
 * after a full collection as the pool's RSS and as the live heap and buffers of its
 * Stratum thread.
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
  readonly V1: Idle;
  readonly V2: Idle;
  /** Readings that had not settled after SETTLE_READINGS (the last was taken). */
  readonly unsettled: number;
}

/**
 * A fresh pool's memory with `v1` idle V1 miners (subscribed, authorized, a job received),
 * then also `v2` idle V2 connections (Noise done, a standard channel open, its job
 * received). The pool must run Stratum on its main thread (BENCH_STRATUM_THREAD=false)
 * under --expose-gc: each reading follows a full collection there, so that what the
 * handshakes left for the collector is not counted as the connections'.
 */
export async function idleConnections(pool: V2Pool, v1: number, v2: number): Promise<IdleMeasure> {
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
  // A few of each opened and closed first: the code paths' first allocations are not a connection's.
  const warmV1 = await connectMany(pool.port, Math.min(v1, 500), 1);
  const warmV2 = await openChannels(pool.sv2Port, pool.authorityPublicKey, 'standard', Math.min(v2, 32));
  for (const miner of warmV1) {
    miner.socket.destroy();
  }
  for (const channel of warmV2) {
    channel.client.close();
  }
  const before = await settled();
  const v1Miners = await connectMany(pool.port, v1, 1);
  const withV1 = await settled();
  const v2Channels = await openChannels(pool.sv2Port, pool.authorityPublicKey, 'standard', v2);
  const withV2 = await settled();
  for (const miner of v1Miners) {
    miner.socket.destroy();
  }
  for (const channel of v2Channels) {
    channel.client.close();
  }
  return {
    V1: { connections: v1, before, with: withV1 },
    V2: { connections: v2, before: withV1, with: withV2 },
    unsettled,
  };
}
