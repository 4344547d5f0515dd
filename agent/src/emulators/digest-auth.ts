import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
