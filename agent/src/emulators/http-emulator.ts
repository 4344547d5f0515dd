import { createServer, type IncomingMessage } from 'node:http';
import { listen, type Listening } from './listen.ts';

/**
 * A miner's HTTP API on a real port (AxeOS, GPU miners): each path answered with the
 * bytes a real device sent, or with replies the demo farm makes up as it runs.
 */

export interface HttpReplyRule {
  readonly status?: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export type HttpReplies = (request: IncomingMessage) => HttpReplyRule | undefined;

export interface RunningHttpEmulator extends Listening {
  readonly requests: readonly { readonly method: string; readonly path: string; readonly body: string }[];
}

export async function startHttpEmulator(
  replies: HttpReplies,
  options: { readonly host?: string; readonly port?: number } = {},
): Promise<RunningHttpEmulator> {
  const requests: { method: string; path: string; body: string }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      requests.push({ method: request.method ?? 'GET', path: request.url ?? '/', body });
      const rule = replies(request);
      if (!rule) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      response
        .writeHead(rule.status ?? 200, { 'content-type': 'application/json', ...rule.headers })
        .end(rule.body);
    });
  });
  return { ...(await listen(server, options)), requests };
}
