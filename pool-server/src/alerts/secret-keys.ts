/**
 * The key that seals subscriptions' secrets (webhook signing secrets, Telegram bot tokens)
 * at rest: AES-256-GCM [NIST SP 800-38D], a 96-bit random nonce per sealing, the
 * subscription's id as additional data so that a sealed secret moved to another row does
 * not open. The key is a file beside the pool's other keys (0600, made on first use), never
 * in the database: a stolen dump holds no usable secret. A rotated key is kept beside the
 * file as `<file>.retired-<key id>`, so what it sealed still opens until it is sealed again.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The sealed form's version prefix; the database checks it (0030). */
const PREFIX = 'hwseal1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Why a secret could not be sealed or opened: said so, never a delivery without its signature. */
export class AlertSecretKeyError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'AlertSecretKeyError';
  }
}

/** A key's name: 16 hex digits of the SHA-256 of the key, so the sealed form says which key it needs. */
function keyIdOf(key: Buffer): string {
  return createHash('sha256')
    .update('hashwatt alert secret key\u0000')
    .update(key)
    .digest('hex')
    .slice(0, 16);
}

function readKey(file: string): Buffer {
  const text = readFileSync(file, 'utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== text) {
    throw new AlertSecretKeyError(
      `${file} is not an alert secret key: it must hold ${String(KEY_BYTES)} bytes in base64`,
    );
  }
  return key;
}

function writeKey(file: string, key: Buffer): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  // The umask may have taken bits off the mode, never added: set it whole.
  chmodSync(file, 0o600);
}

const additionalData = (subscriptionId: string): Buffer =>
  Buffer.from(`alert-subscription:${subscriptionId}`);

/** The current key, which seals, and the retired ones beside it, which only open. */
export class AlertSecretKeys {
  readonly file: string;
  #current: Buffer;
  #byId: ReadonlyMap<string, Buffer>;

  private constructor(file: string, current: Buffer, retired: readonly Buffer[]) {
    this.file = file;
    this.#current = current;
    this.#byId = new Map([...retired, current].map((key) => [keyIdOf(key), key]));
  }

  get currentId(): string {
    return keyIdOf(this.#current);
  }

  /** The key in `file` and those retired beside it; a missing file is made (32 random bytes, 0600). */
  static open(file: string): AlertSecretKeys {
    let current: Buffer;
    try {
      current = readKey(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw error;
      }
      try {
        writeKey(file, randomBytes(KEY_BYTES));
      } catch (made) {
        // Another role of this process (the API, the writer) made it first.
        if ((made as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw made;
        }
      }
      current = readKey(file);
    }
    const prefix = `${path.basename(file)}.retired-`;
    const retired = readdirSync(path.dirname(file))
      .filter((name) => name.startsWith(prefix))
      .map((name) => readKey(path.join(path.dirname(file), name)));
    return new AlertSecretKeys(file, current, retired);
  }

  /**
   * A new key in `file`, the old one kept beside it as retired (it still opens what it
   * sealed). Returns the keys with the new one current; nothing is sealed again here.
   */
  static rotate(file: string): { readonly keys: AlertSecretKeys; readonly retiredAs: string } {
    const old = AlertSecretKeys.open(file);
    const next = `${file}.next`;
    writeKey(next, randomBytes(KEY_BYTES));
    const retiredAs = `${file}.retired-${old.currentId}`;
    renameSync(file, retiredAs);
    renameSync(next, file);
    return { keys: AlertSecretKeys.open(file), retiredAs };
  }

  /** `secret` sealed for one subscription under the current key. */
  seal(secret: string, subscriptionId: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current, nonce).setAAD(additionalData(subscriptionId));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [PREFIX, this.currentId, nonce, sealed, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The secret sealed for `subscriptionId`; throws, saying what is wrong, when it cannot be opened. */
  open(sealed: string, subscriptionId: string): string {
    const [prefix, keyId = '', nonce = '', body = '', tag = ''] = sealed.split('.');
    if (prefix !== PREFIX || tag === '') {
      throw new AlertSecretKeyError(`the secret of subscription ${subscriptionId} is not in a sealed form`);
    }
    if (!this.#byId.has(keyId)) {
      // Rotated while this process runs (`hashwatt alerts key rotate`): the files say more.
      const now = AlertSecretKeys.open(this.file);
      this.#current = now.#current;
      this.#byId = now.#byId;
    }
    const key = this.#byId.get(keyId);
    if (key === undefined) {
      throw new AlertSecretKeyError(
        `the secret of subscription ${subscriptionId} was sealed under alert secret key ${keyId}, but ${this.file} holds key ${this.currentId} and no key retired beside it is ${keyId}: put that key file back (a backup carries it)`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'), {
        authTagLength: TAG_BYTES,
      })
        .setAAD(additionalData(subscriptionId))
        .setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch (error) {
      throw new AlertSecretKeyError(
        `the secret of subscription ${subscriptionId} does not open under alert secret key ${keyId}: the key file or the row was changed`,
        { cause: error },
      );
    }
  }
}
