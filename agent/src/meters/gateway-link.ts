import { connect, type Socket } from 'node:net';
import { ReplyBuffer } from '../protocol/reply-buffer.ts';

/**
 * A TCP connection to a transparent RS-485/optical-probe gateway: bytes written go out on
 * the meter's line as they are, bytes the line carries come back. A meter's reply has no
 * TCP framing, so each exchange says when its reply is whole; each is bounded in time and
 * bytes, and bytes that arrive between exchanges (a late reply, line noise) are dropped.
 */

export type LinkFailure =
  'refused' | 'connect-timeout' | 'timeout' | 'too-large' | 'closed' | 'network' | 'parity';

export class LinkError extends Error {
  constructor(
    readonly failure: LinkFailure,
    message: string,
  ) {
    super(message);
    this.name = 'LinkError';
  }
}

export interface GatewayTarget {
  readonly host: string;
  readonly port: number;
  /**
   * The gateway's serial port is 8N1 while the meter's line is 7E1 (IEC 62056-21): a 7E1
   * character is as long as an 8N1 one, so the link sets the even parity bit as bit 7 of
   * each byte it sends, and checks and clears it in each byte it gets.
   */
  readonly parityInBytes?: boolean;
}

/** Sets bit 7 of each 7-bit byte so that the byte has an even number of 1 bits. */
export function withEvenParity(bytes: Uint8Array): Buffer {
  return Buffer.from(Uint8Array.from(bytes, (byte) => byte | (onesIn(byte & 0x7f) % 2 === 1 ? 0x80 : 0)));
}

function onesIn(byte: number): number {
  let ones = 0;
  for (let rest = byte; rest !== 0; rest >>>= 1) {
    ones += rest & 1;
  }
  return ones;
}

export interface Exchange {
  /** What the step is, for error messages: `open channel`, `sign-on`. */
  readonly step: string;
  readonly request: Uint8Array;
  /** True when `received` is a whole reply; may throw when it can never be one. */
  readonly complete: (received: Buffer) => boolean;
  readonly timeoutMs: number;
  readonly maxBytes: number;
}

export class GatewayLink {
  readonly #socket: Socket;
  readonly #where: string;
  #pending:
    | {
        readonly received: ReplyBuffer;
        readonly check: (ended: boolean, error?: LinkError) => void;
      }
    | undefined;
  #closedBy: LinkError | undefined;

  readonly #parityInBytes: boolean;

  private constructor(socket: Socket, where: string, parityInBytes: boolean) {
    this.#socket = socket;
    this.#where = where;
    this.#parityInBytes = parityInBytes;
    socket.on('data', (raw: Buffer) => {
      const pending = this.#pending;
      if (!pending) {
        return;
      }
      let chunk = raw;
      if (this.#parityInBytes) {
        if (raw.some((byte) => onesIn(byte) % 2 === 1)) {
          pending.check(
            false,
            new LinkError('parity', 'a byte with odd parity came: noise, or the line is not 7E1'),
          );
          return;
        }
        chunk = Buffer.from(Uint8Array.from(raw, (byte) => byte & 0x7f));
      }
      if (!pending.received.append(chunk)) {
        pending.check(
          false,
          new LinkError('too-large', `reply over ${String(pending.received.maxBytes)} bytes`),
        );
        return;
      }
      pending.check(false);
    });
    socket.on('close', () => {
      this.#closedBy ??= new LinkError('closed', 'the gateway closed the connection');
      this.#pending?.check(true, this.#closedBy);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#closedBy = new LinkError('network', `${error.code ?? 'network error'} (${error.message})`);
    });
  }

  static open(target: GatewayTarget, connectTimeoutMs: number): Promise<GatewayLink> {
    const where = `${target.host}:${String(target.port)}`;
    return new Promise((resolve, reject) => {
      const socket = connect({ host: target.host, port: target.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new LinkError('connect-timeout', `no TCP connection within ${String(connectTimeoutMs)} ms`));
      }, connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new GatewayLink(socket, where, target.parityInBytes === true));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new LinkError(
            error.code === 'ECONNREFUSED' ? 'refused' : 'network',
            `${error.code ?? 'network error'} (${error.message})`,
          ),
        );
      });
    });
  }

  get where(): string {
    return this.#where;
  }

  /** Sends the request and resolves with the whole reply; one exchange at a time. */
  exchange(exchange: Exchange): Promise<Buffer> {
    if (this.#pending) {
      throw new Error('GatewayLink: one exchange at a time');
    }
    if (this.#closedBy) {
      return Promise.reject(this.#closedBy);
    }
    return new Promise((resolve, reject) => {
      const received = new ReplyBuffer(exchange.maxBytes, Math.min(exchange.maxBytes, 256));
      const timer = setTimeout(() => {
        finish(
          new LinkError(
            'timeout',
            `no whole reply to ${exchange.step} within ${String(exchange.timeoutMs)} ms (${String(received.length)} bytes came)`,
          ),
        );
      }, exchange.timeoutMs);
      const finish = (error: unknown, reply?: Buffer): void => {
        clearTimeout(timer);
        this.#pending = undefined;
        if (reply) {
          resolve(reply);
        } else {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      this.#pending = {
        received,
        check: (ended, error) => {
          if (error) {
            finish(error);
            return;
          }
          try {
            if (exchange.complete(received.view())) {
              finish(undefined, Buffer.from(received.view()));
            } else if (ended) {
              finish(this.#closedBy);
            }
          } catch (failure) {
            finish(failure);
          }
        },
      };
      this.#socket.write(this.#parityInBytes ? withEvenParity(exchange.request) : exchange.request);
    });
  }

  close(): void {
    this.#closedBy ??= new LinkError('closed', 'closed by the agent');
    this.#socket.destroy();
  }
}
