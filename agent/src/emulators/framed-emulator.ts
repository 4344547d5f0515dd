import { createServer } from 'node:net';
import { frame } from '../protocol/framed-json.ts';
import { listen } from './listen.ts';

/**
 * A Whatsminer API v3 endpoint (length-prefixed JSON on TCP): each request answered by
 * `replies`, with the body as Whatsminer would send it, or an error reply it makes up.
 */
export interface FramedRequest {
  readonly cmd: string;
  readonly param?: unknown;
}

export async function startFramedEmulator(
  replies: (request: FramedRequest) => unknown,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      while (received.length >= 4 && received.length >= 4 + received.readUInt32LE(0)) {
        const length = received.readUInt32LE(0);
        const request = JSON.parse(received.subarray(4, 4 + length).toString('utf8')) as FramedRequest;
        received = received.subarray(4 + length);
        socket.write(frame(replies(request) ?? { code: -1, msg: `unknown command ${request.cmd}` }));
      }
    });
  });
  const { host, port, close } = await listen(server, options);
  return { host, port, close };
}
