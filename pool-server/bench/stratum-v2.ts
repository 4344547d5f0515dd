/**
 * Stratum V2 against V1 on one pool in one run (issue 30, item 5). The pool runs in a
 * child process (stratum-server.ts with BENCH_STRATUM_V2=1: V1 and V2 ports, a V2
 * channel target every hash meets) on the devchain with its embedded PostgreSQL. In each
 * round V1 miners, V2 standard channels and V2 extended channels take turns (the order
 * rotates from round to round), each in a closed loop (accepted shares/s, the pool's CPU
 * per share), then each paced at a rate all sustain (groups of 8 shares to one
 * connection, replies timed); then the Noise costs measured in this process. Every share
 * is real and unique; a V1 reject, a V2 refusal or a V2 share left unacknowledged fails
 * the run. Last, idle connections, each protocol's on a fresh pool (stratum-v2-idle.ts):
 * V1 miners, V2 connections with a channel open, the pool's memory read after a full
 * collection.
 * Run: pnpm bench (records its table in bench-results/stratum-v2.json). BENCH_QUICK=1
 * runs a small version; BENCH_ROUNDS, BENCH_SECONDS, BENCH_V2_CONNECTIONS,
 * BENCH_V2_PACED_RATE, BENCH_V2_IDLE_CONNECTIONS, BENCH_V2_IDLE_V1_CONNECTIONS and
 * BENCH_NOISE_SHARES size it.
 */
import os from 'node:os';
import { startBench } from '../../scripts/bench-record.ts';
import type { ProcessLoad } from './process-load.ts';
import { connectMany, type Miner } from './stratum-miner.ts';
import { throughput, type Throughput } from './stratum-throughput.ts';
import { idleConnections, startV2Pool, type IdleMeasure } from './stratum-v2-idle.ts';
import { openChannels, v2Throughput, type V2Channel } from './stratum-v2-miner.ts';
import { noiseCosts, SUCCESS_BATCH_SHARES } from './stratum-v2-noise.ts';
import { COLUMNS, reportRows, type Protocol, type ProtocolRun, type Round } from './stratum-v2-report.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 1 : 10));
const CONNECTIONS = Number(process.env.BENCH_V2_CONNECTIONS ?? (QUICK ? 4 : 48));
/** Unset: each round paces at a quarter of its slowest closed loop. */
const FIXED_RATE =
  process.env.BENCH_V2_PACED_RATE === undefined ? undefined : Number(process.env.BENCH_V2_PACED_RATE);
const IDLE_V2 = Number(process.env.BENCH_V2_IDLE_CONNECTIONS ?? (QUICK ? 16 : 2_000));
/** V1 connections cost the load generator almost nothing to make: more of them, for a figure above the RSS's noise. */
const IDLE_V1 = Number(process.env.BENCH_V2_IDLE_V1_CONNECTIONS ?? (QUICK ? 200 : 10_000));
const NOISE_SHARES = Number(process.env.BENCH_NOISE_SHARES ?? (QUICK ? 2_000 : 20_000));
const HANDSHAKES = QUICK ? 2 : 20;
const IN_FLIGHT = 16;
/** Paced shares go out as many at a time as the pool acknowledges at once, so a reply times the pool, not its batching. */
const GROUP = SUCCESS_BATCH_SHARES;
const PROTOCOLS: readonly Protocol[] = ['V1', 'standard', 'extended'];

for (const [name, value] of Object.entries({
  ROUNDS,
  SECONDS,
  CONNECTIONS,
  ...(FIXED_RATE !== undefined && { FIXED_RATE }),
  IDLE_V1,
  IDLE_V2,
  NOISE_SHARES,
})) {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new Error(`stratum-v2: ${name} must be a positive number, got ${String(value)}`);
  }
}

const bench = startBench({
  id: 'stratum-v2',
  title: 'Stratum V2 beside V1',
  about:
    "Stratum V2's cost against V1's on one pool in one run. The whole pool runs in a child process on the devchain with its embedded PostgreSQL (`bench/stratum-server.ts`), Stratum V1 and V2 on their own ports. Rounds in which V1 miners, V2 standard channels and V2 extended channels take turns (the order rotates each round), each in a closed loop (accepted shares/s, the pool's CPU per share), then each paced at a quarter of the round's slowest closed loop, a rate all three sustain (replies timed from the send to the reply; for V2, to the SubmitShares.Success covering the share). Every share is a real, unique share of the current job at a target every hash meets, validated in full and stored; a V1 reject, a V2 refusal or a V2 share not acknowledged fails the run. V2 miners are the tests' miner (`test/helpers/sv2-client.ts`: its Noise initiator and the pool's codec) in `bench/stratum-v2-miner.ts`. Then, in the benchmark's process, the Noise costs with the pool's own responder and transport: the handshake, and per share the encryption and decryption of a submit frame and of a SubmitShares.Success, beside one raw sha256d, in interleaved slices. Last, for each protocol a fresh pool with the same settings but Stratum on its main thread (`stratum.thread` false, so that a full collection before each reading reaches the connections' objects) holds idle connections: V1 miners subscribed and authorized, or V2 connections with the Noise handshake done and a standard channel open; its RSS and its live heap and buffers are read before and with them. A figure is the median of the rounds, a ratio the median of each round's ratio to V1's (or to the sha256d). Pool and load generator share the machine's cores.",
  notes: [
    `Paced shares go ${String(GROUP)} at a time to one connection, V1's as V2's: the pool acknowledges V2 shares per ${String(GROUP)} (or after 1 s), so a V2 share paced alone waits for the shares after it on its connection, up to a second, and its reply time would show the batching, not the pool. A V2 miner learns of its shares later than a V1 miner by design; it sends the next without waiting.`,
    "The Noise handshake's two ECDHs run in OpenSSL (node:crypto, with no fast path for secp256k1) and ElligatorSwift's encoding and decoding in JavaScript, at both ends: a V2 connection costs the pool thousands of sha256d's worth of CPU before its first frame (the handshake row), so a burst of V2 reconnects (a restart, a failover) holds the pool's Stratum thread for that long per miner. Once connected, each share costs the pool the AEAD (ChaCha20-Poly1305 in node:crypto, a cipher object made per message) of its submit's header and payload, and of a Success per 8 shares (the Noise rows): a part of what a V2 share costs the pool beyond a V1 share (the CPU rows); the rest is the binary codec, the channels' bookkeeping and the acknowledgements.",
  ],
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/stratum-v2.ts',
  conditions: {
    'rounds (BENCH_ROUNDS)': ROUNDS,
    'connections of each protocol under load: V1 miners, V2 standard channels, V2 extended channels (BENCH_V2_CONNECTIONS)':
      CONNECTIONS,
    'shares in flight per connection, closed loop': IN_FLIGHT,
    'paced rate, shares/s, all connections of the protocol together (BENCH_V2_PACED_RATE)':
      FIXED_RATE ?? "each round's: a quarter of its slowest closed loop, in multiples of the group",
    'shares sent at a time to one connection when paced': GROUP,
    'seconds per phase, after 1 s of warm-up (BENCH_SECONDS)': SECONDS,
    'idle connections: V2 (BENCH_V2_IDLE_CONNECTIONS); V1 (BENCH_V2_IDLE_V1_CONNECTIONS)': `${IDLE_V2.toLocaleString('en-US')}; ${IDLE_V1.toLocaleString('en-US')}`,
    'shares per Noise measure (BENCH_NOISE_SHARES); handshakes': `${NOISE_SHARES.toLocaleString('en-US')}; ${String(HANDSHAKES)}`,
    "the pool's Stratum processes": 1,
  },
});

/** Progress on the console: a full run takes minutes, most of them in V2 handshakes on a busy machine. */
const progress = (step: string): void => {
  console.log(`stratum-v2: ${step} (${(performance.now() / 1000).toFixed(0)} s)`);
};

const { child: pool, port, sv2Port, authorityPublicKey } = await startV2Pool();
progress('the pool is ready');
const poolLoad = async (): Promise<ProcessLoad> => (await pool.ask('load', 'load')) as unknown as ProcessLoad;

const v1Miners: Miner[] = await connectMany(port, CONNECTIONS, 1e-12);
const v2Channels: Readonly<Record<'standard' | 'extended', V2Channel[]>> = {
  standard: await openChannels(sv2Port, authorityPublicKey, 'standard', CONNECTIONS),
  extended: await openChannels(sv2Port, authorityPublicKey, 'extended', CONNECTIONS),
};
progress('the load connections are in');

/** One phase of `protocol`, paced at `rate` or (rate undefined) closed loop. */
async function drive(protocol: Protocol, rate: number | undefined): Promise<Throughput> {
  const settings = {
    ...(rate !== undefined && { rate }),
    inFlight: IN_FLIGHT,
    seconds: SECONDS,
    group: GROUP,
  };
  if (protocol !== 'V1') {
    return v2Throughput(v2Channels[protocol], settings);
  }
  const result = await throughput(v1Miners, settings);
  if (result.rejected > 0) {
    throw new Error(
      `the pool rejected ${String(result.rejected)} V1 shares (${result.offered}); every share is valid`,
    );
  }
  return result;
}

/** The closed loop, with the pool's CPU per share it answered. */
async function closedLoop(protocol: Protocol): Promise<{ result: Throughput; cpuUsPerShare: number }> {
  const before = (await poolLoad()).cpuMs;
  const result = await drive(protocol, undefined);
  const cpuMs = (await poolLoad()).cpuMs - before;
  return { result, cpuUsPerShare: (cpuMs * 1000) / result.answeredAccepted };
}

/** Every protocol in the round's order: rotated each round, the machine's drift falls on each alike. */
async function inTurn<T>(
  round: number,
  each: (protocol: Protocol) => Promise<T>,
): Promise<Record<Protocol, T>> {
  const results = new Map<Protocol, T>();
  for (let turn = 0; turn < PROTOCOLS.length; turn++) {
    const protocol = PROTOCOLS[(round + turn) % PROTOCOLS.length] ?? 'V1';
    results.set(protocol, await each(protocol));
  }
  const resultOf = (protocol: Protocol): T => {
    const result = results.get(protocol);
    if (result === undefined) {
      throw new Error(`round ${String(round + 1)} did not run ${protocol}`);
    }
    return result;
  };
  return { V1: resultOf('V1'), standard: resultOf('standard'), extended: resultOf('extended') };
}

const rounds: Round[] = [];
const niceness = new Set<number>();
for (let round = 0; round < ROUNDS; round++) {
  const closed = await inTurn(round, closedLoop);
  // Paced at a rate every protocol sustains: a quarter of the slowest closed loop, unless set.
  const slowest = Math.min(...PROTOCOLS.map((protocol) => closed[protocol].result.sharesPerSecond));
  const rate = FIXED_RATE ?? Math.max(GROUP, Math.floor(slowest / 4 / GROUP) * GROUP);
  const paced = await inTurn(round, (protocol) => drive(protocol, rate));
  for (const value of (await poolLoad()).niceness) {
    niceness.add(value);
  }
  const runOf = (protocol: Protocol): ProtocolRun => ({
    paced: paced[protocol],
    closedLoop: closed[protocol].result,
    closedLoopCpuUsPerShare: closed[protocol].cpuUsPerShare,
  });
  rounds.push({
    rate,
    V1: runOf('V1'),
    standard: runOf('standard'),
    extended: runOf('extended'),
    noise: noiseCosts(NOISE_SHARES, HANDSHAKES),
  });
  const line = (protocol: Protocol): string =>
    `${protocol} ${Math.round(closed[protocol].result.sharesPerSecond).toLocaleString('en-US')}/s closed loop, p50/p99 ${paced[protocol].p50Ms.toFixed(2)}/${paced[protocol].p99Ms.toFixed(2)} ms at ${String(rate)}/s`;
  console.log(`round ${String(round + 1)}: ${PROTOCOLS.map(line).join('; ')}`);
}

for (const miner of v1Miners) {
  miner.socket.destroy();
}
for (const channel of [...v2Channels.standard, ...v2Channels.extended]) {
  channel.client.close();
}
await pool.exit('stop');

// Idle connections of each protocol on a fresh pool of its own that runs Stratum on its
// main thread, where a full collection before each reading reaches the connections' objects.
const idleOf = async (protocol: 'V1' | 'V2', count: number): Promise<IdleMeasure> => {
  const idlePool = await startV2Pool({ BENCH_STRATUM_THREAD: 'false' }, ['--expose-gc']);
  const measured = await idleConnections(idlePool, protocol, count);
  await idlePool.child.exit('stop');
  return measured;
};
const idleV1 = await idleOf('V1', IDLE_V1);
const idleV2 = await idleOf('V2', IDLE_V2);
progress(`${String(IDLE_V1)} idle V1 and ${String(IDLE_V2)} idle V2 connections measured`);

bench.finish({
  columns: COLUMNS,
  rows: reportRows({
    connections: CONNECTIONS,
    inFlight: IN_FLIGHT,
    group: GROUP,
    rounds,
    idle: { V1: idleV1.idle, V2: idleV2.idle },
  }),
  conditions: {
    "niceness of the pool's processes (Node, the database's keeper, PostgreSQL), read from /proc after each round":
      [...niceness].sort((a, b) => a - b).join(', '),
    'niceness of the V1 and V2 miners': `${String(os.getPriority())} (this process)`,
    'RSS readings of the idle pool, each after a full collection, that did not settle within 1 MiB over 0.5 s in 20 s (the last was taken)':
      idleV1.unsettled + idleV2.unsettled,
  },
});
process.exit(0);
