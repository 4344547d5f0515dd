import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { md5CryptHash } from './md5-crypt.ts';

/**
 * Whatsminer API v2's writes (MicroBT "WhatsMiner API V2.0.5", §2.1 API ciphertext):
 * `get_token` answers `time`, `salt`, `newsalt`;
 *   key   = md5-crypt(admin password, salt)        (`openssl passwd -1 -salt $salt`)
 *   sign  = md5-crypt(key + time, newsalt)          the command's `token`
 *   aeskey = sha256(key)
 * and the JSON command, with `"token": sign`, goes as AES-256-ECB of its bytes padded
 * with NULs to 16, in base64: `{"enc":1,"data":"…"}`. The reply `{"enc":"…"}` decrypts
 * with the same key. Checked byte for byte against the exchange Foreman's Whatsminer
 * test holds (test/integration/whatsminer-writes.test.ts).
 */

export interface TokenGrant {
  readonly time: string;
  readonly salt: string;
  readonly newsalt: string;
}

export interface WriteToken {
  /** The md5-crypt hash of the password; sha256 of it is the AES key. */
  readonly key: string;
  readonly sign: string;
}

export function writeToken(password: string, grant: TokenGrant): WriteToken {
  const key = md5CryptHash(password, grant.salt);
  return { key, sign: md5CryptHash(key + grant.time, grant.newsalt) };
}

function aesKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

function padded(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Math.ceil(bytes.length / 16) * 16;
  return Buffer.concat([bytes, Buffer.alloc(length - bytes.length)]);
}

/** `text` as an `enc` payload: AES-256-ECB with sha256(key), NUL-padded, in base64. */
export function encryptPayload(key: string, text: string): string {
  const cipher = createCipheriv('aes-256-ecb', aesKey(key), null).setAutoPadding(false);
  return Buffer.concat([cipher.update(padded(text)), cipher.final()]).toString('base64');
}

/** The request line for `command` (its `cmd` and parameters), signed and encrypted. */
export function encryptCommand(token: WriteToken, command: Readonly<Record<string, string>>): string {
  return JSON.stringify({
    enc: 1,
    data: encryptPayload(token.key, JSON.stringify({ ...command, token: token.sign })),
  });
}

/** The text inside an `enc` payload; throws when it is not whole AES blocks. */
export function decryptPayload(key: string, base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0 || bytes.length % 16 !== 0) {
    throw new Error('the encrypted reply is not whole AES blocks');
  }
  const decipher = createDecipheriv('aes-256-ecb', aesKey(key), null).setAutoPadding(false);
  return Buffer.concat([decipher.update(bytes), decipher.final()])
    .toString('utf8')
    .replace(/\0+$/, '');
}
