/**
 * The floor under the pool's figures on this machine: a bare Node TCP server, forked by
 * stratum-load.ts and measured with the same miners and the same measures as the pool.
 * It answers every request line with `true` (each line parsed as JSON, as any JSON-RPC
 * server must; one write per read, as the pool writes one per turn), a miner's authorize
 * also with one mining.notify, and on 'network-block' writes the clean-job line it was
 * given (the pool's own, NOTIFY_LINE) to every connection, in one loop. No pool, no
 * template, no session, no share check, no journal: what it measures is what loopback
 * socket reads and writes and the miners cost on these cores.
 */
import net from 'node:net';
import { watchLoad } from './process-load.ts';

interface Request {
  readonly kind: 'load' | 'network-block' | 'stop';
}

const notifyLine = process.env.NOTIFY_LINE ?? '';
if (!notifyLine.includes('"mining.notify"') || !notifyLine.endsWith('\n')) {
  throw new Error('NOTIFY_LINE must be a mining.notify line ending in a newline');
}
const notifyBytes = Buffer.from(notifyLine);
const connections = new Set<net.Socket>();

/** The replies to a read's whole lines; `tail` is the unfinished line it ends with. */
function answer(text: string): { replies: string; tail: string } {
  const lines = text.split('\n');
  const tail = lines.pop() ?? '';
  let replies = '';
  for (const line of lines) {
    const request = JSON.parse(line) as { id: unknown; method: unknown };
    replies += `{"id":${JSON.stringify(request.id)},"result":true,"error":null}\n`;
    if (request.method === 'mining.authorize') {
      // The miner's handshake waits for a job after it authorizes.
      replies += notifyLine;
    }
  }
  return { replies, tail };
}

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
  socket.on('error', () => undefined);
  let unfinished = '';
  socket.on('data', (chunk: Buffer) => {
    const { replies, tail } = answer(unfinished + chunk.toString());
    unfinished = tail;
    if (replies !== '') {
      socket.write(replies);
    }
  });
});

const load = watchLoad();
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  process.send?.({ kind: 'ready', port: address.port });
});

process.on('message', (request: Request) => {
  switch (request.kind) {
    case 'load':
      process.send?.({ kind: 'load', ...load([process.pid]) });
      break;
    case 'network-block':
      process.send?.({ kind: 'network-block', at: performance.timeOrigin + performance.now() });
      for (const socket of connections) {
        socket.write(notifyBytes);
      }
      break;
    case 'stop':
      process.exit(0);
  }
});
