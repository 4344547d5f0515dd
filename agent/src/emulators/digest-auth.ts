import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * The server's side of HTTP Digest authentication (RFC 7616 with MD5 and qop=auth, as
 * stock Antminer web interfaces ask for it): a challenge with a fresh nonce, and a check
 * that a request answers one of the nonces given out, for a known login and this very
 * method and path.
 */
export interface DigestGuard {
  /** The WWW-Authenticate header of a 401. */
  challenge(): string;
  accepts(request: {
    readonly method?: string | undefined;
    readonly url?: string | undefined;
    readonly authorization?: string | undefined;
  }): boolean;
}

/** Nonces remembered at once: a client answers the latest, or one a little older. */
const NONCES_KEPT = 256;

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/** `Digest a="b", c=d` → { a: 'b', c: 'd' }; undefined for another scheme. */
export function digestFields(header: string): Readonly<Record<string, string>> | undefined {
  if (!/^Digest\s/i.test(header)) {
    return undefined;
  }
  return Object.fromEntries(
    [...header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)].map((match) => [
      (match[1] ?? '').toLowerCase(),
      match[2] ?? match[3] ?? '',
    ]),
  );
}

export function digestGuard(realm: string, logins: Readonly<Record<string, string>>): DigestGuard {
  const nonces = new Set<string>();
  return {
    challenge() {
      const nonce = randomBytes(16).toString('hex');
      nonces.add(nonce);
      if (nonces.size > NONCES_KEPT) {
        const [oldest] = nonces;
        nonces.delete(oldest ?? '');
      }
      return `Digest realm="${realm}", nonce="${nonce}", qop="auth"`;
    },
    accepts({ method, url, authorization }) {
      const fields = digestFields(authorization ?? '');
      const username = fields?.username;
      const password = username === undefined ? undefined : logins[username];
      if (
        fields === undefined ||
        password === undefined ||
        fields.realm !== realm ||
        !nonces.has(fields.nonce ?? '') ||
        fields.uri !== url
      ) {
        return false;
      }
      const ha1 = md5(`${username ?? ''}:${realm}:${password}`);
      const ha2 = md5(`${method ?? 'GET'}:${fields.uri ?? ''}`);
      const expected =
        fields.qop === 'auth'
          ? md5(`${ha1}:${fields.nonce ?? ''}:${fields.nc ?? ''}:${fields.cnonce ?? ''}:auth:${ha2}`)
          : md5(`${ha1}:${fields.nonce ?? ''}:${ha2}`);
      const given = Buffer.from(fields.response ?? '');
      return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected));
    },
  };
}

/** A request body read whole is at most this: past it the emulator answers 413 and stops reading. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A web interface's server: each body read up to 64 KiB, each request checked by `guard`
 * when there is one (401 with a fresh challenge otherwise), the rest handed to `answer`.
 */
export function guardedServer(
  guard: DigestGuard | undefined,
  answer: (request: IncomingMessage, response: ServerResponse, body: string) => void,
): Server {
  return createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413, { connection: 'close' }).end();
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (response.headersSent) {
        return;
      }
      if (
        guard !== undefined &&
        !guard.accepts({
          method: request.method,
          url: request.url,
          authorization: request.headers.authorization,
        })
      ) {
        response
          .writeHead(401, { 'www-authenticate': guard.challenge(), 'content-type': 'text/html' })
          .end('<h1>401 Unauthorized</h1>');
        return;
      }
      answer(request, response, Buffer.concat(chunks).toString('utf8'));
    });
  });
}
