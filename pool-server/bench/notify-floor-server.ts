/**
 * The floor under the pool's notify fan-out on this machine: a bare Node TCP server that
 * answers a miner's handshake with one mining.notify and, on 'network-block', writes the
 * clean-job line it was given (the pool's own, NOTIFY_LINE) to every connection, in one
 * loop. No pool, no template, no session: what it measures is what 10,000 loopback
 * socket writes and the receiving miners cost on these cores. Forked by stratum-load.ts,
 * which times it with the same miners and the same measure as the pool's fan-out.
 */
import net from 'node:net';

interface Request {
  readonly kind: 'network-block' | 'stop';
}

const notifyLine = Buffer.from(process.env.NOTIFY_LINE ?? '', 'latin1');
if (!notifyLine.includes('"mining.notify"') || notifyLine.at(-1) !== 0x0a) {
  throw new Error('NOTIFY_LINE must be a mining.notify line ending in a newline');
}
const connections = new Set<net.Socket>();

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  connections.add(socket);
  socket.on('close', () => connections.delete(socket));
  socket.on('error', () => undefined);
  // The miner's handshake waits for a notify after it authorizes; one is its job.
  socket.on('data', (chunk: Buffer) => {
    if (chunk.includes('mining.authorize')) {
      socket.write(notifyLine);
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address() as net.AddressInfo;
  process.send?.({ kind: 'ready', port: address.port });
});

process.on('message', (request: Request) => {
  switch (request.kind) {
    case 'network-block':
      process.send?.({ kind: 'network-block', at: performance.timeOrigin + performance.now() });
      for (const socket of connections) {
        socket.write(notifyLine);
      }
      break;
    case 'stop':
      process.exit(0);
  }
});
