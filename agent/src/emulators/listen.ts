import type { Server, Socket } from 'node:net';

/**
 * Listens on host:port (port 0: any free one) and says where; `close` cuts every open
 * connection first, so a test's emulator never holds the process open.
 */
export async function listen(
  server: Server,
  options: { readonly host?: string | undefined; readonly port?: number | undefined },
): Promise<{ host: string; port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the emulator has no TCP address');
  }
  return {
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) {
          socket.destroy();
        }
        server.close(() => {
          resolve();
        });
      }),
  };
}
