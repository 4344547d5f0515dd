import { randomBytes } from 'node:crypto';
import { md5CryptHash } from '../protocol/md5-crypt.ts';
import { decryptPayload, encryptPayload, writeToken } from '../protocol/whatsminer-token.ts';
import type { CgminerReplies, CgminerRequest } from './cgminer-emulator.ts';

/**
 * The write side of a Whatsminer on API v2, as MicroBT's "WhatsMiner API V2.0.5"
 * describes it, for the cgminer emulator: `get_token` hands out `time`, the miner's
 * fixed `salt` and a fresh `newsalt`; a write comes as `{"enc":1,"data":…}`, is
 * decrypted with sha256(md5-crypt(password, salt)) and carries the token's sign. A
 * command that does not decrypt to JSON is code 23, a sign not handed out (or past
 * its 30 minutes) 135, a 33rd token 136, bad base64 137, writes not enabled 45; a write
 * that passes is recorded and answered, encrypted, with code 131.
 */

export interface WhatsminerV2Options {
  /** The admin password set with WhatsMinerTool. */
  readonly password: string;
  /** Whether the API's writes were enabled (they are not out of the box). */
  readonly writesEnabled?: boolean;
  /** How long a token lives, in ms: 30 minutes on the firmware. */
  readonly tokenLifetimeMs?: number;
  readonly now?: () => number;
}

export interface WhatsminerV2Writes {
  /** Answers get_token and encrypted writes; undefined for anything else (the reads). */
  readonly replies: CgminerReplies;
  /** Every write that passed the token check, decrypted, without its token. */
  readonly writes: readonly Readonly<Record<string, unknown>>[];
}

/** Tokens one client address may hold at once [API V2.0.5 §2]. */
const MAX_TOKENS = 32;
const THIRTY_MINUTES_MS = 30 * 60 * 1000;
const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function newSalt(): string {
  return [...randomBytes(8)].map((byte) => SALT_CHARS[byte & 0x3f] ?? '.').join('');
}

function flat(code: number, msg: unknown, status = 'S'): string {
  return JSON.stringify({
    STATUS: status,
    When: Math.floor(Date.now() / 1000),
    Code: code,
    Msg: msg,
    Description: '',
  });
}

export function whatsminerV2Writes(options: WhatsminerV2Options): WhatsminerV2Writes {
  const now = options.now ?? Date.now;
  const lifetime = options.tokenLifetimeMs ?? THIRTY_MINUTES_MS;
  // The salt of the stored password hash: the same in every grant.
  const salt = newSalt();
  const key = md5CryptHash(options.password, salt);
  const signs = new Map<string, number>();
  const writes: Record<string, unknown>[] = [];

  const grant = (): string => {
    if (options.writesEnabled === false) {
      return flat(45, 'permission denied', 'E');
    }
    for (const [sign, expires] of signs) {
      if (expires <= now()) {
        signs.delete(sign);
      }
    }
    if (signs.size >= MAX_TOKENS) {
      return flat(136, 'token over max times', 'E');
    }
    const time = String(Math.floor(now() / 1000) % 10_000);
    const newsalt = newSalt();
    signs.set(writeToken(options.password, { time, salt, newsalt }).sign, now() + lifetime);
    return flat(134, { time, salt, newsalt });
  };

  const write = (request: CgminerRequest): string => {
    const data = request.body.data;
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
      return flat(137, 'base64 decode error', 'E');
    }
    let command: Record<string, unknown>;
    try {
      command = JSON.parse(decryptPayload(key, data)) as Record<string, unknown>;
    } catch {
      return flat(23, 'invalid JSON message', 'E');
    }
    const sign = typeof command.token === 'string' ? command.token : '';
    const expires = signs.get(sign);
    if (expires === undefined || expires <= now()) {
      return flat(135, 'check token error', 'E');
    }
    writes.push(Object.fromEntries(Object.entries(command).filter(([name]) => name !== 'token')));
    const reply = { STATUS: 'S', When: Math.floor(now() / 1000), Code: 131, Msg: '', Description: '' };
    return JSON.stringify({ enc: encryptPayload(key, JSON.stringify(reply)) });
  };

  return {
    writes,
    replies: (request) => {
      if (request.command === 'get_token') {
        return grant();
      }
      if (request.body.enc === 1) {
        return write(request);
      }
      return undefined;
    },
  };
}
