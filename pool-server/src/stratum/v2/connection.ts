/**
 * Joins a socket to a Stratum V2 session: the Noise NX handshake first (sv2-spec 4.5),
 * then encrypted frames in, decoded messages to the session, its messages out encrypted.
 * Limits are V1's (ConnectionSettings): the handshake and every frame begun must finish
 * within the line timeout, a frame may announce at most the Mining protocol's largest
 * payload, a peer that does not read is cut off; misbehaviour scores toward V1's bans.
 *
 * Like V1's connection, what one turn of the event loop's frames produce leaves after the
 * shares they accept are committed; accepted shares are acknowledged in batches
 * (SubmitShares.Success), refused if their commit fails.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { WorkerProtocol } from '@hashwatt/schemas';
import { SocketWriter } from '../socket-writer.ts';
import type { ConnectionHost, MinerConnection } from '../connection.ts';
import type { StratumEnvironment } from '../session-context.ts';
import type { Authorizer, WorkerIdentity } from '../worker-identity.ts';
import {
  DEFAULT_MAX_FRAME_PAYLOAD_BYTES,
  FRAME_HEADER_BYTES,
  JOB_DECLARATION_MAX_FRAME_PAYLOAD_BYTES,
  readFrameHeader,
} from './framing.ts';
import { decodeMessage, encodeFrame } from './message-codec.ts';
import type { Sv2Message } from './message-table.ts';
import { NoiseError } from './noise/errors.ts';
import { HANDSHAKE_HELLO_LENGTH, respondToHandshake, type NoiseServerIdentity } from './noise/responder.ts';
import type { NoiseTransport } from './noise/transport.ts';
import { MiningSetupFlags } from './protocol-constants.ts';
import { Sv2Session, type Sv2Sink } from './session.ts';
import type { SetupPolicy } from './setup-connection.ts';
import { ShareAcknowledgements } from './share-acknowledgements.ts';

/** [sv2 5.3.13] Accepted shares acknowledged in one SubmitShares.Success at most this many at a time… */
export const SUCCESS_BATCH_SHARES = 8;
/** …or after at most this long: the miner learns its shares count without a message per share. */
export const SUCCESS_BATCH_MS = 1_000;

const GARBAGE_PENALTY = 50;
const SLOW_FRAME_PENALTY = 20;
/** The code of a share accepted but not recorded (the journal failed); V1 says the same in words. */
const NOT_RECORDED_CODE = 'share-not-recorded';

export class Sv2Connection implements MinerConnection, Sv2Sink {
  readonly session: Sv2Session;
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #env: StratumEnvironment;
  readonly #identity: NoiseServerIdentity;
  /** The Job Declaration Server takes whole transactions: its frames may be larger. */
  readonly #maxPayloadBytes: number;
  /** The worker the session authorized for the channel it is opening, until the channel opens. */
  #admitting: WorkerIdentity | undefined;
  #hello: Buffer = Buffer.alloc(0);
  #transport: NoiseTransport | undefined;
  #frameTimer: NodeJS.Timeout | undefined;
  readonly #writer: SocketWriter;
  #batchTimer: NodeJS.Timeout | undefined;
  #closeReason: string | undefined;
  /** What this turn's frames produced, encrypted in order, held until its shares are committed. */
  #held: Buffer[] | undefined;
  /** Shares accepted this turn, not yet committed: channel, sequence number, difficulty. */
  #uncommitted: number[] = [];
  /** Committed shares awaiting their SubmitShares.Success, per channel. */
  readonly #acknowledgements = new ShareAcknowledgements();
  #batchedShares = 0;

  constructor(
    socket: Socket,
    remoteAddress: string,
    host: ConnectionHost,
    env: StratumEnvironment,
    identity: NoiseServerIdentity,
    protocol: SetupPolicy['protocol'] = 'mining',
  ) {
    this.#socket = socket;
    this.#writer = new SocketWriter(socket, host.settings, (reason) => {
      this.#abort(reason);
    });
    this.#host = host;
    this.#env = env;
    this.#identity = identity;
    this.#maxPayloadBytes =
      protocol === 'job-declaration'
        ? JOB_DECLARATION_MAX_FRAME_PAYLOAD_BYTES
        : DEFAULT_MAX_FRAME_PAYLOAD_BYTES;
    this.remoteAddress = remoteAddress;
    this.session = new Sv2Session(
      { ...env, authorizer: this.#watching(env.authorizer) },
      this,
      remoteAddress,
      protocol,
    );
    socket.setNoDelay(true);
    socket.setTimeout(host.settings.idleTimeoutMs, () => {
      this.#abort('idle timeout');
    });
    // The handshake is a frame begun: it must finish within the same time.
    this.#watchPartialFrame(0, false);
    socket.on('data', (chunk: Buffer) => {
      this.#receive(chunk);
    });
    socket.on('error', (error: Error) => {
      this.#closeReason ??= `socket error: ${error.message}`;
    });
    socket.on('close', () => {
      this.#writer.closed();
      clearTimeout(this.#frameTimer);
      clearTimeout(this.#batchTimer);
      this.session.close();
      this.#host.closed(this, this.#closeReason ?? 'closed by the miner');
    });
  }

  /**
   * The protocol this connection's workers are recorded with: V2, or V2 with declared jobs
   * when the miner's SetupConnection asked to select its own work (REQUIRES_WORK_SELECTION:
   * a Job Declaration client, whose channels mine the jobs it declares). Read when each
   * channel opens, so a session that accepts the flag makes its workers 'v2-declared'.
   */
  get protocol(): WorkerProtocol {
    const flags = this.session.device?.flags ?? 0;
    return (flags & MiningSetupFlags.requiresWorkSelection) === 0 ? 'v2' : 'v2-declared';
  }

  /** The authorizer the session asks, noting whom it let in for the channel being opened. */
  #watching(authorizer: Authorizer): Authorizer {
    return {
      authorize: (username, password) => {
        const result = authorizer.authorize(username, password);
        this.#admitting = result.ok ? result.identity : undefined;
        return result;
      },
    };
  }

  /** [sv2 5.3.3, 5.3.6] A channel opened: its worker is connected, as a V1 worker is once authorized. */
  #channelOpened(): void {
    const identity = this.#admitting;
    this.#admitting = undefined;
    if (identity) {
      this.#env.events.workerConnected({ identity, protocol: this.protocol, timeMs: this.#host.now() });
    }
  }

  /** Handles bytes that arrived before the connection existed (after a PROXY header). */
  receiveEarly(bytes: Buffer): void {
    if (bytes.length > 0) {
      this.#receive(bytes);
    }
  }

  send(message: Sv2Message): void {
    if (
      message.type === 'OpenStandardMiningChannel.Success' ||
      message.type === 'OpenExtendedMiningChannel.Success'
    ) {
      this.#channelOpened();
    }
    const transport = this.#transport;
    if (!transport || this.#socket.destroyed || this.#socket.writableEnded) {
      return;
    }
    // Encrypted now, in the order sent: the Noise nonces count messages.
    const wire = transport.encryptFrame(encodeFrame(message));
    if (this.#held) {
      this.#held.push(wire);
    } else {
      this.#writer.write(wire);
    }
  }

  shareAccepted(channelId: number, sequenceNumber: number, difficulty: number): void {
    this.#uncommitted.push(channelId, sequenceNumber, difficulty);
  }

  penalize(points: number, reason: string): void {
    this.#host.penalize(this.remoteAddress, points, reason);
  }

  /** Sends what is queued (an error, a Reconnect), then closes. */
  close(reason: string): void {
    this.#closeReason ??= reason;
    if (this.#socket.destroyed || this.#socket.writableEnded) {
      return;
    }
    this.#host.commitAndReply();
    this.#flushBatches();
    this.#socket.end();
    setTimeout(() => {
      this.#socket.destroy();
    }, this.#host.settings.drainTimeoutMs).unref();
  }

  /**
   * Lets what this turn's frames produced go, with the acknowledgements or refusals of its
   * shares, in one write. `committed` false: the shares accepted this turn are not
   * journalled, and each is refused.
   */
  sendReplies(committed: boolean): void {
    const accepted = this.#uncommitted;
    this.#uncommitted = [];
    this.#held ??= [];
    for (let index = 0; index < accepted.length; index += 3) {
      const channelId = accepted[index] as number;
      const sequence = accepted[index + 1] as number;
      if (!committed) {
        this.send({
          type: 'SubmitShares.Error',
          channel_id: channelId,
          sequence_number: sequence,
          error_code: NOT_RECORDED_CODE,
        });
        continue;
      }
      // The weight is the share's difficulty, whole: the spec leaves the unit to the pool.
      const early = this.#acknowledgements.accept(
        channelId,
        sequence,
        BigInt(Math.round(accepted[index + 2] as number)),
      );
      if (early) {
        this.send(early);
      }
      this.#batchedShares++;
    }
    if (this.#batchedShares >= SUCCESS_BATCH_SHARES) {
      this.#flushBatches();
    } else if (this.#batchedShares > 0 && this.#batchTimer === undefined) {
      this.#batchTimer = setTimeout(() => {
        this.#batchTimer = undefined;
        this.#flushBatches();
      }, SUCCESS_BATCH_MS);
      this.#batchTimer.unref();
    }
    const held = this.#held;
    this.#held = undefined;
    if (held.length > 0) {
      this.#writer.write(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held));
    }
  }

  /** [sv2 5.3.13] One SubmitShares.Success per channel for the shares committed since the last. */
  #flushBatches(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    for (const success of this.#acknowledgements.flush()) {
      this.send(success);
    }
    this.#batchedShares = 0;
  }

  /** Neither closed nor closing: a frame after a close is not handled. */
  #open(): boolean {
    return !this.#socket.destroyed && !this.#socket.writableEnded;
  }

  #abort(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  /** A protocol violation: no goodbye, nothing more read, points toward a ban. */
  #violation(reason: string, points: number): void {
    this.#abort(reason);
    this.penalize(points, reason);
  }

  #receive(chunk: Buffer): void {
    if (this.#socket.destroyed) {
      return;
    }
    let bytes = chunk;
    if (!this.#transport) {
      const needed = HANDSHAKE_HELLO_LENGTH - this.#hello.length;
      this.#hello = Buffer.concat([this.#hello, bytes.subarray(0, needed)]);
      bytes = bytes.subarray(needed);
      if (this.#hello.length < HANDSHAKE_HELLO_LENGTH) {
        return;
      }
      const { reply, transport } = respondToHandshake(this.#identity, this.#hello, randomBytes, {
        maxPayloadBytes: this.#maxPayloadBytes,
      });
      this.#transport = transport;
      this.#writer.write(reply);
      this.#watchPartialFrame(0, true);
      if (bytes.length === 0) {
        return;
      }
    }
    const now = this.#host.now();
    if (this.#held === undefined) {
      this.#held = [];
      this.#host.repliesHeld(this, now);
    }
    let frames: Buffer[];
    try {
      frames = this.#transport.decryptor.push(bytes);
    } catch (error) {
      if (error instanceof NoiseError) {
        this.#violation(`Noise: ${error.message}`, GARBAGE_PENALTY);
        return;
      }
      throw error;
    }
    for (const frame of frames) {
      if (!this.#open()) {
        return;
      }
      const decoded = decodeMessage(readFrameHeader(frame), frame.subarray(FRAME_HEADER_BYTES));
      if (!decoded.ok) {
        // [sv2 3.4] Extensions this pool does not speak are ignored; anything else is garbage.
        if (decoded.error.kind !== 'unknown-extension') {
          this.#violation(decoded.error.message, GARBAGE_PENALTY);
          return;
        }
        continue;
      }
      this.session.receive(decoded.value, now);
    }
    this.#watchPartialFrame(this.#transport.decryptor.pendingBytes, frames.length > 0);
  }

  /**
   * A frame begun (or the handshake) must finish within the line timeout; each finished
   * frame restarts the clock. Trickling bytes (slow loris) is cut off.
   */
  #watchPartialFrame(pendingBytes: number, progressed: boolean): void {
    if (this.#transport && pendingBytes === 0) {
      clearTimeout(this.#frameTimer);
      this.#frameTimer = undefined;
    } else if (this.#frameTimer === undefined) {
      this.#frameTimer = setTimeout(() => {
        this.#violation('a frame or the handshake not finished within the line timeout', SLOW_FRAME_PENALTY);
      }, this.#host.settings.lineTimeoutMs);
    } else if (progressed) {
      this.#frameTimer.refresh();
    }
  }
}
