/**
 * A Stratum V2 miner for tests, written from the specification (sv2-spec 4.5–4.6 for the
 * Noise layer, 5.3 for the Mining protocol) apart from the pool's server: it cuts the
 * encrypted stream into frames itself, builds block headers and merkle roots itself and
 * searches nonces with node:crypto. Only the message codec (the messages' wire form) and
 * the Noise initiator helper are shared.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import { decodeMessage, encodeFrame, isMessage } from '../../src/stratum/v2/message-codec.ts';
import type { MessageName, MessageOf, Sv2Message } from '../../src/stratum/v2/message-table.ts';
import { readFrameHeader } from '../../src/stratum/v2/framing.ts';
import { NoiseInitiator, type InitiatorSession } from './sv2-noise-initiator.ts';

const MAC = 16;
const HEADER_CIPHERTEXT = 6 + MAC;
const MAX_PLAINTEXT_CHUNK = 65535 - MAC;
const REPLY_LENGTH = 234;
/** [sv2 5.3.1] SetupConnection for the Mining protocol, version 2. */
export const MINING_PROTOCOL = 0;
/**
 * [sv2 5.3.1] SetupConnection.flags REQUIRES_STANDARD_JOBS: a header-only device, whose
 * standard channels get a NewMiningJob each rather than their group's extended job.
 */
export const REQUIRES_STANDARD_JOBS = 1 << 0;

function sha256d(bytes: Buffer): Buffer {
  return createHash('sha256').update(createHash('sha256').update(bytes).digest()).digest();
}

/** A U256 (little-endian bytes) as a number. */
export function u256(bytes: Buffer): bigint {
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
}

export function u256Bytes(value: bigint): Buffer {
  return Buffer.from(value.toString(16).padStart(64, '0'), 'hex').reverse();
}

/** The easiest target there is: a device that takes any. */
export const ANY_TARGET = Buffer.alloc(32, 0xff);

/** What a share is mined on: the fields of the 80-byte header but the nonce. */
export interface Work {
  readonly version: number;
  readonly prevHash: Buffer;
  readonly merkleRoot: Buffer;
  readonly ntime: number;
  readonly nbits: number;
}

/** [sv2 5.3.16] The merkle root of an extended job with the channel's prefix and the miner's extranonce. */
export function extendedMerkleRoot(
  job: MessageOf<'NewExtendedMiningJob'>,
  extranoncePrefix: Buffer,
  extranonce: Buffer,
): Buffer {
  let root = sha256d(
    Buffer.concat([job.coinbase_tx_prefix, extranoncePrefix, extranonce, job.coinbase_tx_suffix]),
  );
  for (const step of job.merkle_path) {
    root = sha256d(Buffer.concat([root, step]));
  }
  return root;
}

/** The 80-byte block header of `work` with `nonce`, in the byte order it is hashed in. */
export function headerOf(work: Work, nonce: number): Buffer {
  const header = Buffer.alloc(80);
  header.writeUInt32LE(work.version, 0);
  work.prevHash.copy(header, 4);
  work.merkleRoot.copy(header, 36);
  header.writeUInt32LE(work.ntime, 68);
  header.writeUInt32LE(work.nbits, 72);
  header.writeUInt32LE(nonce, 76);
  return header;
}

/**
 * The first nonce from `start` whose header hash is at or below `target` (or, `miss`,
 * above it), as a little-endian 256-bit number, as Bitcoin compares them.
 */
export function searchNonce(work: Work, target: bigint, start = 0, miss = false): number {
  const header = headerOf(work, start);
  for (let nonce = start; nonce <= 0xffff_ffff; nonce++) {
    header.writeUInt32LE(nonce, 76);
    if (u256(sha256d(header)) <= target !== miss) {
      return nonce;
    }
  }
  throw new Error('no nonce meets the target');
}

export class Sv2Client {
  readonly #socket: net.Socket;
  readonly #session: InitiatorSession;
  #pending: Buffer;
  #header: Buffer | undefined;
  readonly #received: Sv2Message[] = [];
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(socket: net.Socket, session: InitiatorSession, rest: Buffer) {
    this.#socket = socket;
    this.#session = session;
    this.#pending = rest;
    socket.on('data', (chunk: Buffer) => {
      this.#pending = Buffer.concat([this.#pending, chunk]);
      this.#readFrames();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    this.#readFrames();
  }

  /** Connects and completes the Noise handshake, checking the pool's certificate. */
  static async connect(port: number, authorityPublicKey: Buffer): Promise<Sv2Client> {
    // No Nagle delay, as the pool's side: shares sent back to back leave at once.
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
    socket.on('error', () => {
      // A reset after the pool closes; `closed` says so.
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const initiator = new NoiseInitiator({ authorityPublicKey, nowSeconds: Math.floor(Date.now() / 1000) });
    socket.write(initiator.hello());
    const reply = await new Promise<Buffer>((resolve, reject) => {
      let bytes = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        bytes = Buffer.concat([bytes, chunk]);
        if (bytes.length >= REPLY_LENGTH) {
          socket.off('data', onData);
          socket.pause();
          resolve(bytes);
        }
      };
      socket.on('data', onData);
      socket.once('close', () => {
        reject(new Error('the pool closed during the handshake'));
      });
    });
    const session = initiator.readReply(reply.subarray(0, REPLY_LENGTH));
    const client = new Sv2Client(socket, session, reply.subarray(REPLY_LENGTH));
    socket.resume();
    return client;
  }

  get closed(): boolean {
    return this.#closed;
  }

  send(message: Sv2Message): void {
    this.#socket.write(this.#session.encrypt(encodeFrame(message)));
  }

  /** Raw bytes on the wire, for tests that tamper with them. */
  sendRaw(bytes: Buffer): void {
    this.#socket.write(bytes);
  }

  /** The encrypted wire form of a message, to tamper with before sending. */
  encrypt(message: Sv2Message): Buffer {
    return this.#session.encrypt(encodeFrame(message));
  }

  /** The encrypted wire form of any frame (header and payload), valid or not. */
  encryptFrame(frame: Buffer): Buffer {
    return this.#session.encrypt(frame);
  }

  /** The next message of `type` received (earlier ones of other types stay queued). */
  async next<N extends MessageName>(type: N): Promise<Extract<Sv2Message, { readonly type: N }>> {
    for (;;) {
      const found = this.#received.find((message) => isMessage(message, type));
      if (found && isMessage(found, type)) {
        this.#received.splice(this.#received.indexOf(found), 1);
        return found;
      }
      if (this.#closed) {
        throw new Error(`the pool closed the connection before sending ${type}`);
      }
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
      });
    }
  }

  /** Whether a message of `type` is queued now. */
  has(type: MessageName): boolean {
    return this.#received.some((message) => message.type === type);
  }

  /** Resolves when the pool has closed the connection. */
  async untilClosed(): Promise<void> {
    while (!this.#closed) {
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
      });
    }
  }

  async setup(flags = 0, overrides: Partial<MessageOf<'SetupConnection'>> = {}): Promise<Sv2Message> {
    this.send({
      type: 'SetupConnection',
      protocol: MINING_PROTOCOL,
      min_version: 2,
      max_version: 2,
      flags,
      endpoint_host: '127.0.0.1',
      endpoint_port: this.#socket.remotePort ?? 0,
      vendor: 'hashwatt-test',
      hardware_version: 'cpu',
      firmware: 'sv2-client 1',
      device_id: 'rig-under-test',
      ...overrides,
    });
    for (;;) {
      if (this.has('SetupConnection.Success')) {
        return this.next('SetupConnection.Success');
      }
      if (this.has('SetupConnection.Error')) {
        return this.next('SetupConnection.Error');
      }
      await this.#waitForMore();
    }
  }

  async #waitForMore(): Promise<void> {
    if (this.#closed) {
      throw new Error('the pool closed the connection');
    }
    await new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) {
      wake();
    }
  }

  /** [sv2 4.6] A header ciphertext, then the payload in chunks of at most 65 535 bytes each. */
  #readFrames(): void {
    for (;;) {
      if (this.#header === undefined) {
        if (this.#pending.length < HEADER_CIPHERTEXT) {
          break;
        }
        this.#header = this.#session.open(this.#pending.subarray(0, HEADER_CIPHERTEXT));
        this.#pending = this.#pending.subarray(HEADER_CIPHERTEXT);
      }
      const header = readFrameHeader(this.#header);
      const full = Math.floor(header.msgLength / MAX_PLAINTEXT_CHUNK);
      const rest = header.msgLength % MAX_PLAINTEXT_CHUNK;
      const wireLength = full * (MAX_PLAINTEXT_CHUNK + MAC) + (rest > 0 ? rest + MAC : 0);
      if (this.#pending.length < wireLength) {
        break;
      }
      const parts: Buffer[] = [];
      let offset = 0;
      for (let left = header.msgLength; left > 0; left -= MAX_PLAINTEXT_CHUNK) {
        const chunk = Math.min(left, MAX_PLAINTEXT_CHUNK) + MAC;
        parts.push(this.#session.open(this.#pending.subarray(offset, offset + chunk)));
        offset += chunk;
      }
      this.#pending = this.#pending.subarray(wireLength);
      this.#header = undefined;
      const decoded = decodeMessage(header, Buffer.concat(parts));
      if (!decoded.ok) {
        throw new Error(`the pool sent a frame that does not decode: ${decoded.error.message}`);
      }
      this.#received.push(decoded.value);
    }
    this.#wake();
  }
}
