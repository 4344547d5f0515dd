import { createServer, type Socket } from 'node:net';
import { listen, type Listening } from './listen.ts';

/**
 * A host on the farm's network that is not a miner and does not behave: an IP camera
 * streaming on port 80, a device that trickles a byte at a time, one that sends a huge
 * reply, one that resets the connection halfway, one that accepts and never answers.
 * It answers the first bytes of any request, over HTTP (a status line and headers
 * first) or raw TCP (the cgminer port), for the tests of what the agent survives.
 */
export type Hostility =
  /** Headers, then a body that never ends (a camera's MJPEG stream). */
  | 'endless-body'
  /** Headers, then one byte per `trickleMs`, forever. */
  | 'trickle'
  /** A whole reply of `hugeBytes` (HTTP: with its Content-Length), then the end. */
  | 'huge-reply'
  /** Headers and part of a body, then a TCP reset. */
  | 'reset-mid-reply'
  /** Accepts the connection and never sends a byte. */
  | 'silent';

export interface HostileHostOptions {
  readonly hostility: Hostility;
  readonly protocol: 'http' | 'raw';
  readonly host?: string;
  readonly port?: number;
  /** 'trickle': the time between bytes (default 1 s). */
  readonly trickleMs?: number;
  /** 'huge-reply': its size (default 10 MB). */
  readonly hugeBytes?: number;
}

export interface HostileHost extends Listening {
  /** Connections that sent a request. */
  readonly requests: () => number;
}

const STREAM_CHUNK = Buffer.alloc(64 * 1024, 0x41);

export async function startHostileHost(options: HostileHostOptions): Promise<HostileHost> {
  const huge =
    options.hostility === 'huge-reply' ? Buffer.alloc(options.hugeBytes ?? 10_000_000, 0x41) : undefined;
  const head = (length?: number): string =>
    options.protocol === 'http'
      ? `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n${
          length === undefined ? '' : `content-length: ${String(length)}\r\n`
        }connection: close\r\n\r\n`
      : '';
  let requests = 0;
  const misbehave = (socket: Socket): void => {
    switch (options.hostility) {
      case 'silent':
        return;
      case 'endless-body': {
        socket.write(head());
        const pump = (): void => {
          while (!socket.destroyed && socket.write(STREAM_CHUNK)) {
            // Writes until the socket pushes back, then waits for drain.
          }
        };
        socket.on('drain', pump);
        pump();
        return;
      }
      case 'trickle': {
        socket.write(head());
        const timer = setInterval(() => socket.write('{'), options.trickleMs ?? 1_000);
        socket.once('close', () => {
          clearInterval(timer);
        });
        return;
      }
      case 'huge-reply':
        socket.end(Buffer.concat([Buffer.from(head(huge?.length)), huge ?? Buffer.alloc(0)]));
        return;
      case 'reset-mid-reply':
        socket.write(`${head(1_000)}{"STATUS":[{"STATUS":"S","Msg":"half`);
        // Reset from the write's own tick, and Node closes with a FIN instead (Node 20); from a
        // timer it is a reset, though a busy machine may still see a FIN now and then.
        setTimeout(() => socket.resetAndDestroy(), 0);
        return;
    }
  };
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.once('data', () => {
      requests += 1;
      misbehave(socket);
    });
  });
  const listening = await listen(server, options);
  return { ...listening, requests: () => requests };
}
