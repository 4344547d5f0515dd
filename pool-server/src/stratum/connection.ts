import type { Socket } from 'node:net';
import { SocketWriter } from './socket-writer.ts';
import { LineDecoder } from './codec.ts';
import { SHARE_NOT_RECORDED, StratumErrorCode } from './errors.ts';
import { encodeAcknowledgement, encodeError, type RequestId } from './messages.ts';
import { StratumSession } from './session.ts';
import type { SessionSink, StratumEnvironment } from './session-context.ts';

export interface ConnectionSettings {
  readonly maxLineBytes: number;
  /** A miner that sends nothing for this long is dropped. */
  readonly idleTimeoutMs: number;
  /** A line begun must end within this long: a peer trickling bytes (slow loris) is cut off. */
  readonly lineTimeoutMs: number;
  /** A miner that does not read what we send for this long is dropped. */
  readonly drainTimeoutMs: number;
  /** Bytes we queue for a slow reader before dropping it. */
  readonly maxQueuedBytes: number;
}

/** What the server needs of a miner's session, V1 or V2. */
export interface MinerSession {
  readonly authorized: boolean;
  tick(nowMs: number): void;
  /** Sends the session its current job (a new template's). */
  sendCurrentJob(): void;
  /** Asks the miner to come back to this pool (client.reconnect, Reconnect). */
  reconnect(): void;
  showMessage(text: string): void;
  moveExtranonce1(): 'moved' | 'reconnect' | 'not subscribed';
}

/** What the server needs of a connection, V1 or V2. */
export interface MinerConnection {
  readonly remoteAddress: string;
  readonly session: MinerSession;
  close(reason: string): void;
  sendReplies(committed: boolean): void;
}

/** What a connection reports to its server. */
export interface ConnectionHost {
  readonly env: StratumEnvironment;
  readonly settings: ConnectionSettings;
  /** Misbehaviour points; a ban closes every connection of the address. */
  penalize(address: string, points: number, reason: string): void;
  /**
   * The connection holds replies until the shares they announce are committed:
   * the host commits once for every connection that read in this turn of the event loop,
   * then calls sendReplies() on each. `now`: the host's now() when the chunk arrived.
   */
  repliesHeld(connection: MinerConnection, now: number): void;
  /** Commits now and sends the replies of every connection that holds some (this one's before it closes). */
  commitAndReply(): void;
  closed(connection: MinerConnection, reason: string): void;
  now(): number;
}

const OVERSIZE_PENALTY = 50;
const SLOW_LINE_PENALTY = 20;

/**
 * Joins a socket to a session: lines in order, replies out with backpressure.
 * Every chunk is handled to the end before the next (no request runs ahead of
 * another), and what a turn of the event loop's requests produce leaves in one write,
 * after the shares it accepts are committed.
 */
export class StratumConnection implements SessionSink, MinerConnection {
  readonly session: StratumSession;
  readonly remoteAddress: string;
  readonly #socket: Socket;
  readonly #host: ConnectionHost;
  readonly #decoder: LineDecoder;
  readonly #writer: SocketWriter;
  #lineTimer: NodeJS.Timeout | undefined;
  #closeReason: string | undefined;
  /** What this turn's requests produced, held until the shares it accepts are committed. */
  #held: string | undefined;
  /**
   * The accepted shares' replies in #held, three numbers each (start, end, index into
   * #acknowledgedIds): a failed commit turns them into refusals. Reused turn after turn.
   */
  readonly #acknowledged: number[] = [];
  readonly #acknowledgedIds: RequestId[] = [];

  /** `env`: the session's environment, when its listener differs from the host's (the SOLO port). */
  constructor(
    socket: Socket,
    remoteAddress: string,
    host: ConnectionHost,
    env: StratumEnvironment = host.env,
  ) {
    this.#socket = socket;
    this.#writer = new SocketWriter(socket, host.settings, (reason) => {
      this.#abort(reason);
    });
    this.#host = host;
    this.remoteAddress = remoteAddress;
    this.#decoder = new LineDecoder(host.settings.maxLineBytes);
    this.session = new StratumSession(env, this, remoteAddress, host.now());
    socket.setNoDelay(true);
    socket.setTimeout(host.settings.idleTimeoutMs, () => {
      this.#abort('idle timeout');
    });
    socket.on('data', (chunk: Buffer) => {
      this.#receive(chunk);
    });
    socket.on('error', (error: Error) => {
      this.#closeReason ??= `socket error: ${error.message}`;
    });
    socket.on('close', () => {
      this.#writer.closed();
      clearTimeout(this.#lineTimer);
      this.session.close();
      this.#host.closed(this, this.#closeReason ?? 'closed by the miner');
    });
  }

  /** Handles bytes that arrived before the connection existed (after a PROXY header). */
  receiveEarly(bytes: Buffer): void {
    if (bytes.length > 0) {
      this.#receive(bytes);
    }
  }

  send(line: string | Buffer): void {
    if (this.#held !== undefined) {
      // A Buffer (a job's notify line) is rare while replies are held; one string keeps the turn to one write.
      this.#held += typeof line === 'string' ? line : line.toString();
      return;
    }
    this.#writer.write(line);
  }

  acknowledgeShare(id: RequestId): void {
    const line = encodeAcknowledgement(id);
    if (this.#held === undefined) {
      this.#writer.write(line);
      return;
    }
    const start = this.#held.length;
    this.#held += line;
    this.#acknowledged.push(start, this.#held.length, this.#acknowledgedIds.push(id) - 1);
  }

  /**
   * Sends what is queued (the last error, a ban notice, client.reconnect), then closes;
   * a peer that does not take it within the drain timeout is cut off.
   */
  close(reason: string): void {
    this.#closeReason ??= reason;
    if (this.#socket.destroyed || this.#socket.writableEnded) {
      return;
    }
    // What is held goes first: the shares those replies accept must be committed before it.
    this.#host.commitAndReply();
    this.#socket.end();
    setTimeout(() => {
      this.#socket.destroy();
    }, this.#host.settings.drainTimeoutMs).unref();
  }

  /** Closes at once, dropping whatever is queued: for a peer that does not read. */
  #abort(reason: string): void {
    this.#closeReason ??= reason;
    this.#socket.destroy();
  }

  penalize(points: number, reason: string): void {
    this.#host.penalize(this.remoteAddress, points, reason);
  }

  /**
   * Lets the replies held since this turn's requests go, in one write. `committed`
   * false: the shares they accept are not journalled, and those replies refuse them.
   */
  sendReplies(committed: boolean): void {
    let held = this.#held;
    this.#held = undefined;
    if (held && !committed && this.#acknowledged.length > 0) {
      held = this.#refuseAcknowledged(held);
    }
    this.#acknowledged.length = 0;
    this.#acknowledgedIds.length = 0;
    if (held) {
      this.#writer.write(held);
    }
  }

  /** `held` with each accepted share's reply replaced by a refusal. */
  #refuseAcknowledged(held: string): string {
    let refused = '';
    let from = 0;
    const acknowledged = this.#acknowledged;
    for (let index = 0; index < acknowledged.length; index += 3) {
      const start = acknowledged[index] ?? 0;
      const id = this.#acknowledgedIds[acknowledged[index + 2] ?? 0] ?? null;
      refused += held.slice(from, start) + encodeError(id, StratumErrorCode.Other, SHARE_NOT_RECORDED);
      from = acknowledged[index + 1] ?? start;
    }
    return refused + held.slice(from);
  }

  #receive(chunk: Buffer): void {
    const now = this.#host.now();
    if (this.#held === undefined) {
      this.#held = '';
      this.#host.repliesHeld(this, now);
    }
    let lines = 0;
    const fits = this.#decoder.push(chunk, (line) => {
      lines += 1;
      if (!this.#socket.writableEnded && !this.#socket.destroyed) {
        this.session.receive(line, now);
      }
    });
    if (!fits) {
      // A protocol violation: no goodbye, and nothing more of this peer's bytes is read.
      this.#abort(`a line longer than ${String(this.#host.settings.maxLineBytes)} bytes`);
      this.penalize(OVERSIZE_PENALTY, 'line over the size limit');
      return;
    }
    this.#watchPartialLine(lines > 0);
  }

  /**
   * A line left unfinished starts a clock; finishing a line restarts it (a busy miner's
   * chunks may always end mid-line: each finished line is progress). Trickling bytes
   * of one line never is. One timer a connection, refreshed, not one made per chunk.
   */
  #watchPartialLine(progressed: boolean): void {
    if (this.#decoder.pendingBytes === 0) {
      clearTimeout(this.#lineTimer);
      this.#lineTimer = undefined;
    } else if (this.#lineTimer === undefined) {
      this.#lineTimer = setTimeout(() => {
        this.#abort('a line not finished within the line timeout');
        this.penalize(SLOW_LINE_PENALTY, 'a line trickled in too slowly');
      }, this.#host.settings.lineTimeoutMs);
    } else if (progressed) {
      this.#lineTimer.refresh();
    }
  }
}
