/**
 * The floor under the API's figures: a bare node:http server, forked by api-load.ts like
 * api-server.ts, that answers every request with the body it was given (the pool
 * summary's own, FLOOR_BODY). No routing, no database, no cache, no logging.
 */
import http from 'node:http';

const body = Buffer.from(process.env.FLOOR_BODY ?? '');
if (body.length === 0) {
  throw new Error('FLOOR_BODY is required');
}
const server = http.createServer((_request, response) => {
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
  });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (message: { kind: string }) => {
  if (message.kind === 'stop') {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
