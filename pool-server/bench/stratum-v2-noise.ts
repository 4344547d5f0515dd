/**
 * What Stratum V2's encryption costs, measured in-process for stratum-v2.ts: the Noise NX
 * handshake at each end, and per share the encryption and decryption of a
 * SubmitSharesStandard or SubmitSharesExtended frame and of a SubmitShares.Success, with
 * the pool's own responder and transport and the test miner's initiator; beside one raw
 * sha256d of an 80-byte header, the floor every share pays at least once. The measures
 * run in interleaved slices and each figure is the median of its slices.
 */
import { hash, randomBytes } from 'node:crypto';
import { encodeFrame } from '../src/stratum/v2/message-codec.ts';
import type { Sv2Message } from '../src/stratum/v2/message-table.ts';
import { certify } from '../src/stratum/v2/noise-keys.ts';
import { generateSecretKey } from '../src/stratum/v2/noise/ellswift.ts';
import {
  noiseServerIdentity,
  respondToHandshake,
  type NoiseServerIdentity,
} from '../src/stratum/v2/noise/responder.ts';
import type { NoiseTransport } from '../src/stratum/v2/noise/transport.ts';
import { NoiseInitiator, type InitiatorSession } from '../test/helpers/sv2-noise-initiator.ts';
import { median } from './stratum-goals.ts';
import type { ChannelKind } from './stratum-v2-miner.ts';

/** The pool's frame limit (stratum/v2/framing.ts): irrelevant to the cost, needed to build a transport. */
const LIMITS = { maxPayloadBytes: 1 << 17 };
/** [sv2 5.3.13] as the pool batches its acknowledgements (stratum/v2/connection.ts). */
export const SUCCESS_BATCH_SHARES = 8;

export interface ShareNoiseCost {
  readonly kind: ChannelKind;
  /** Bytes on the wire of the submit frame and of the Success frame, encrypted. */
  readonly submitWireBytes: number;
  readonly successWireBytes: number;
  /** µs per share: the miner encrypts the submit, the pool decrypts it, encrypts a Success, the miner decrypts it. */
  readonly bothEndsUs: number;
  /** µs per share at the pool: the submit decrypted, one Success encrypted per share. */
  readonly poolUs: number;
  /** µs per share at the pool as it acknowledges: one Success per SUCCESS_BATCH_SHARES shares. */
  readonly poolBatchedUs: number;
}

export interface NoiseCosts {
  readonly sha256dUs: number;
  /** ms per handshake at the pool (respondToHandshake) and at the miner (act 1, then act 2 read and its certificate checked). */
  readonly handshakePoolMs: number;
  readonly handshakeMinerMs: number;
  readonly shares: readonly ShareNoiseCost[];
}

interface Ends {
  readonly miner: InitiatorSession;
  readonly pool: NoiseTransport;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function poolIdentity(): { identity: NoiseServerIdentity; authorityPublicKey: Buffer } {
  const staticSecretKey = generateSecretKey(randomBytes);
  const certificate = certify(generateSecretKey(randomBytes), staticSecretKey, nowSeconds(), 1);
  return {
    identity: noiseServerIdentity(staticSecretKey, certificate.certificate, randomBytes),
    authorityPublicKey: certificate.authorityPublicKey,
  };
}

/** Runs `count` handshakes; the ends of the last, and the time each side took per handshake. */
function handshakes(count: number): { ends: Ends; poolMs: number; minerMs: number } {
  const { identity, authorityPublicKey } = poolIdentity();
  let poolMs = 0;
  let minerMs = 0;
  let ends: Ends | undefined;
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: nowSeconds() });
    const hello = initiator.hello();
    const helloDone = performance.now();
    const { reply, transport } = respondToHandshake(identity, hello, randomBytes, LIMITS);
    const replied = performance.now();
    ends = { miner: initiator.readReply(reply), pool: transport };
    minerMs += helloDone - started + (performance.now() - replied);
    poolMs += replied - helloDone;
  }
  if (!ends) {
    throw new RangeError('the Noise measure needs at least one handshake');
  }
  return { ends, poolMs: poolMs / count, minerMs: minerMs / count };
}

/** µs per call of `work` over `count` calls. */
function timed(count: number, work: (index: number) => void): number {
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    work(index);
  }
  return ((performance.now() - started) * 1000) / count;
}

function submitOf(kind: ChannelKind, sequence: number): Sv2Message {
  const common = {
    channel_id: 1,
    sequence_number: sequence,
    job_id: 2,
    nonce: sequence,
    ntime: 1_700_000_000,
    version: 0x2000_0000,
  };
  return kind === 'standard'
    ? { type: 'SubmitSharesStandard', ...common }
    : { type: 'SubmitSharesExtended', ...common, extranonce: randomBytes(8) };
}

/**
 * One direction at a time (the Noise nonces of each direction count up), each step over
 * every share before the next: what each end spends, free of the other's caches.
 */
function shareCost({ miner, pool }: Ends, kind: ChannelKind, shares: number): ShareNoiseCost {
  const submits = Array.from({ length: shares }, (_, sequence) => encodeFrame(submitOf(kind, sequence)));
  const success = encodeFrame({
    type: 'SubmitShares.Success',
    channel_id: 1,
    last_sequence_number: shares,
    new_submits_accepted_count: 1,
    new_shares_sum: 1n,
  });
  const submitWires: Buffer[] = [];
  const successWires: Buffer[] = [];
  const minerEncrypts = timed(shares, (index) => submitWires.push(miner.encrypt(submits[index] as Buffer)));
  let decrypted = 0;
  const poolDecrypts = timed(shares, (index) => {
    decrypted += pool.decryptor.push(submitWires[index] as Buffer).length;
  });
  const poolEncrypts = timed(shares, () => successWires.push(pool.encryptFrame(success)));
  const minerDecrypts = timed(shares, (index) => {
    decrypted += miner.decrypt(successWires[index] as Buffer).length;
  });
  if (decrypted !== 2 * shares) {
    throw new Error(`the Noise measure decrypted ${String(decrypted)} frames of ${String(2 * shares)}`);
  }
  return {
    kind,
    submitWireBytes: submitWires[0]?.length ?? 0,
    successWireBytes: successWires[0]?.length ?? 0,
    bothEndsUs: minerEncrypts + poolDecrypts + poolEncrypts + minerDecrypts,
    poolUs: poolDecrypts + poolEncrypts,
    poolBatchedUs: poolDecrypts + poolEncrypts / SUCCESS_BATCH_SHARES,
  };
}

/** The floor: one sha256d of an 80-byte header, as node:crypto computes it. */
function sha256dUs(count: number): number {
  const header = randomBytes(80);
  let last = 0;
  const us = timed(count, (index) => {
    header.writeUInt32LE(index, 76);
    last ^= hash('sha256', hash('sha256', header, 'buffer'), 'buffer')[0] ?? 0;
  });
  // `last` is read (never negative) so that the compiler cannot drop the hashing as unused.
  return last >= 0 ? us : Number.NaN;
}

/** Slices each measure is cut into, interleaved: a burst of the machine's other work falls on each measure alike. */
const SLICES = 20;
const KINDS = ['standard', 'extended'] as const;

/** Each field's median over the slices. */
function medianCost(kind: ChannelKind, slices: readonly ShareNoiseCost[]): ShareNoiseCost {
  const of = (field: 'bothEndsUs' | 'poolUs' | 'poolBatchedUs'): number =>
    median(slices.map((slice) => slice[field]));
  return {
    kind,
    submitWireBytes: slices[0]?.submitWireBytes ?? Number.NaN,
    successWireBytes: slices[0]?.successWireBytes ?? Number.NaN,
    bothEndsUs: of('bothEndsUs'),
    poolUs: of('poolUs'),
    poolBatchedUs: of('poolBatchedUs'),
  };
}

/**
 * The handshake over `handshakeCount` handshakes (after one untimed), then the sha256d
 * floor and every kind's share cost over `shares` shares each, in interleaved slices:
 * each figure is the median of its slices.
 */
export function noiseCosts(shares: number, handshakeCount: number): NoiseCosts {
  handshakes(1);
  const { ends, poolMs, minerMs } = handshakes(handshakeCount);
  const sliceShares = Math.max(1, Math.ceil(shares / SLICES));
  // A warm-up of each path, so that the optimising compiler has run before the timed loops.
  for (const kind of KINDS) {
    shareCost(ends, kind, sliceShares);
  }
  sha256dUs(sliceShares);
  const sha: number[] = [];
  const slices = new Map<ChannelKind, ShareNoiseCost[]>(KINDS.map((kind) => [kind, []]));
  for (let slice = 0; slice < SLICES; slice++) {
    sha.push(sha256dUs(sliceShares));
    for (const kind of KINDS) {
      slices.get(kind)?.push(shareCost(ends, kind, sliceShares));
    }
  }
  return {
    sha256dUs: median(sha),
    handshakePoolMs: poolMs,
    handshakeMinerMs: minerMs,
    shares: KINDS.map((kind) => medianCost(kind, slices.get(kind) ?? [])),
  };
}
