import { createHash } from 'node:crypto';

/**
 * md5-crypt (`$1$`, Poul-Henning Kamp's FreeBSD scheme; what `openssl passwd -1`
 * computes): Whatsminer API v2 derives its keys with it. Returns only the 22-character
 * hash after `$1$<salt>$`, which is what the API uses.
 */

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The hash's bytes, taken three at a time in this order, each group as four characters. */
const GROUPS: readonly (readonly [number, number, number])[] = [
  [0, 6, 12],
  [1, 7, 13],
  [2, 8, 14],
  [3, 9, 15],
  [4, 10, 5],
];

function to64(value: number, length: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < length; i += 1) {
    out += ITOA64[rest & 0x3f] ?? '';
    rest >>>= 6;
  }
  return out;
}

const md5 = (...parts: (Buffer | string)[]): Buffer => {
  const hash = createHash('md5');
  for (const part of parts) {
    hash.update(part);
  }
  return hash.digest();
};

export function md5CryptHash(password: string, saltText: string): string {
  const pw = Buffer.from(password, 'utf8');
  // The salt stops at eight characters or a `$`.
  const salt = Buffer.from(saltText.split('$')[0]?.slice(0, 8) ?? '', 'utf8');
  const alternate = md5(pw, salt, pw);
  const context = createHash('md5');
  context.update(pw);
  context.update('$1$');
  context.update(salt);
  for (let left = pw.length; left > 0; left -= 16) {
    context.update(alternate.subarray(0, Math.min(16, left)));
  }
  for (let bits = pw.length; bits > 0; bits >>>= 1) {
    context.update((bits & 1) === 1 ? Buffer.from([0]) : pw.subarray(0, 1));
  }
  let final: Buffer = context.digest();
  // 1000 rounds, to make brute force slower [PHK md5crypt].
  for (let round = 0; round < 1000; round += 1) {
    const odd = (round & 1) === 1;
    final = md5(
      odd ? pw : final,
      round % 3 === 0 ? Buffer.alloc(0) : salt,
      round % 7 === 0 ? Buffer.alloc(0) : pw,
      odd ? final : pw,
    );
  }
  const at = (i: number): number => final[i] ?? 0;
  return GROUPS.map(([a, b, c]) => to64((at(a) << 16) | (at(b) << 8) | at(c), 4)).join('') + to64(at(11), 2);
}
