import type { Server, Socket } from 'node:net';

/** A listening emulator: where it is, and how to take it off the network and back. */
export interface Listening {
  readonly host: string;
  readonly port: number;
  /** Cuts every open connection and stops listening: connections are refused, as from a device that is off. */
  readonly goOffline: () => Promise<void>;
  /** Listens again on the same address and port. */
  readonly comeOnline: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/**
 * Listens on host:port (port 0: any free one) and says where; `close` cuts every open
 * connection first, so a test's emulator never holds the process open.
 */
export async function listen(
  server: Server,
  options: { readonly host?: string | undefined; readonly port?: number | undefined },
): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const start = (host: string, port: number) =>
    new Promise<void>((resolve, reject) => {
      const failed = (error: Error): void => {
        reject(error);
      };
      server.once('error', failed);
      server.listen(port, host, () => {
        server.off('error', failed);
        resolve();
      });
    });
  await start(options.host ?? '127.0.0.1', options.port ?? 0);
  // Listening, a failed accept (EMFILE) costs that one connection, as a busy device would; it has no logger to go to.
  server.on('error', (error) => {
    process.emitWarning(`emulator: ${error.message}`);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('the emulator has no TCP address');
  }
  const stop = (): Promise<void> =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) {
        socket.destroy();
      }
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => {
        resolve();
      });
    });
  return {
    host: address.address,
    port: address.port,
    goOffline: stop,
    comeOnline: () => (server.listening ? Promise.resolve() : start(address.address, address.port)),
    close: stop,
  };
}
