import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NoiseInitiator } from '../../../test/helpers/sv2-noise-initiator.ts';
import { parseAuthorityPublicKey } from './noise/authority-key.ts';
import { xOnlyPublicKey } from './noise/ellswift.ts';
import { respondToHandshake } from './noise/responder.ts';
import {
  createAuthorityKey,
  openNoiseIdentity,
  readSecretKeyFile,
  renewIdentity,
  type NoiseKeyFiles,
  type OpenedIdentity,
  type OpenOptions,
} from './noise-keys.ts';

const NOW = 1_800_000_000;
const DAY = 86_400;

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function keyFolder(): NoiseKeyFiles {
  const dir = mkdtempSync(path.join(tmpdir(), 'hashwatt-sv2-keys-'));
  folders.push(dir);
  return {
    staticKeyFile: path.join(dir, 'sv2-static-key.pem'),
    certificateFile: path.join(dir, 'sv2-certificate.json'),
    authorityKeyFile: path.join(dir, 'sv2-authority-key.pem'),
  };
}

function recordingLog(): OpenOptions['log'] & {
  lines: { level: string; fields: object; message: string }[];
} {
  const lines: { level: string; fields: object; message: string }[] = [];
  return {
    lines,
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    info: (fields, message) => lines.push({ level: 'info', fields, message }),
  };
}

function options(overrides: Partial<OpenOptions> = {}): OpenOptions {
  return {
    pinnedAuthority: undefined,
    certificateDays: 365,
    nowSeconds: NOW,
    log: recordingLog(),
    ...overrides,
  };
}

/** A miner pinning `authority` completes a handshake with the opened identity. */
function handshakeWorks(opened: OpenedIdentity, authority: string, nowSeconds = NOW): boolean {
  const parsed = parseAuthorityPublicKey(authority);
  if (!parsed.ok) {
    return false;
  }
  const miner = new NoiseInitiator({ authorityPublicKey: parsed.publicKey, nowSeconds });
  const { reply } = respondToHandshake(opened.identity, miner.hello(), randomBytes, {
    maxPayloadBytes: 1024,
  });
  return miner.readReply(reply).serverPublicKey.equals(opened.certificate.serverPublicKey);
}

const mode = (file: string): number => statSync(file).mode & 0o777;

describe('the pool’s Stratum V2 key files', () => {
  it('are made on first start, private, and open the same on the next start', () => {
    const files = keyFolder();
    const log = recordingLog();
    const first = openNoiseIdentity(files, options({ log }));
    expect(mode(files.authorityKeyFile)).toBe(0o600);
    expect(mode(files.staticKeyFile)).toBe(0o600);
    expect(log.lines[0]).toMatchObject({
      level: 'warn',
      fields: { authorityPublicKey: first.authorityPublicKey },
    });
    expect(first.certificate.certificate.validFrom).toBe(NOW - 3600);
    expect(first.certificate.certificate.notValidAfter).toBe(NOW + 365 * DAY);

    const again = openNoiseIdentity(files, options());
    expect(again.authorityPublicKey).toBe(first.authorityPublicKey);
    expect(again.identity.staticSecretKey).toEqual(first.identity.staticSecretKey);
    expect(handshakeWorks(again, first.authorityPublicKey)).toBe(true);
  });

  it('refuse a secret key others may read, naming the file and the fix', () => {
    const files = keyFolder();
    openNoiseIdentity(files, options());
    chmodSync(files.staticKeyFile, 0o644);
    expect(() => openNoiseIdentity(files, options())).toThrow(
      `${files.staticKeyFile} may be read by others (mode 644): a secret key must be 0600; run chmod 600 ${files.staticKeyFile}`,
    );
  });

  it('refuse a key of another curve and a file that is no key', () => {
    const files = keyFolder();
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(files.staticKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expect(() => readSecretKeyFile(files.staticKeyFile)).toThrow(
      /holds a ed25519 key; Stratum V2 keys are secp256k1/,
    );
    writeFileSync(files.authorityKeyFile, 'not a key', { mode: 0o600 });
    expect(() => readSecretKeyFile(files.authorityKeyFile)).toThrow(/is not a private key in PEM/);
    expect(() => readSecretKeyFile(`${files.authorityKeyFile}.absent`)).toThrow(/cannot be read \(ENOENT\)/);
  });

  it('stop start-up when one file is missing, or the certificate is for another key', () => {
    const files = keyFolder();
    openNoiseIdentity(files, options());
    const other = keyFolder();
    openNoiseIdentity(other, options());
    copyFileSync(other.certificateFile, files.certificateFile);
    expect(() => openNoiseIdentity(files, options())).toThrow(
      /certifies static key [0-9a-f]{64}, not the key in/,
    );

    const lonely = keyFolder();
    openNoiseIdentity(lonely, options());
    writeFileSync(lonely.certificateFile, '{"format":"something else"}');
    expect(() => openNoiseIdentity(lonely, options())).toThrow(
      /is not a Stratum V2 certificate of this pool/,
    );
    const missing = keyFolder();
    copyFileSync(other.staticKeyFile, missing.staticKeyFile);
    chmodSync(missing.staticKeyFile, 0o600);
    expect(() => openNoiseIdentity(missing, options())).toThrow(
      `sv2: ${missing.certificateFile} is missing; restore it from a backup, or make a new static key and certificate with \`hashwatt sv2 key rotate --authority-key FILE\``,
    );
  });

  it('stop start-up for a certificate of another authority than the pinned one', () => {
    const files = keyFolder();
    openNoiseIdentity(files, options());
    const otherAuthority = createAuthorityKey(path.join(keyFolder().authorityKeyFile));
    expect(() => openNoiseIdentity(files, options({ pinnedAuthority: otherAuthority }))).toThrow(
      /is signed by authority \w+, not the configured sv2Noise.authorityPublicKey/,
    );
    expect(() => openNoiseIdentity(files, options({ pinnedAuthority: 'not-base58!' }))).toThrow(
      'sv2Noise.authorityPublicKey (HASHWATT_SV2_NOISE_AUTHORITY_PUBLIC_KEY) is not base58-check (a mistyped character or a bad checksum)',
    );
  });

  it('with a pinned authority and no files, sign only with that authority’s own key file', () => {
    const files = keyFolder();
    const pinned = createAuthorityKey(files.authorityKeyFile);
    const opened = openNoiseIdentity(files, options({ pinnedAuthority: pinned }));
    expect(opened.authorityPublicKey).toBe(pinned);

    const bare = keyFolder();
    expect(() => openNoiseIdentity(bare, options({ pinnedAuthority: pinned }))).toThrow(/is missing/);
    expect(existsSync(bare.staticKeyFile)).toBe(false);
  });

  it('warn a month before the certificate expires, and stop start-up once it has', () => {
    const files = keyFolder();
    openNoiseIdentity(files, options({ certificateDays: 40 }));
    const log = recordingLog();
    openNoiseIdentity(files, options({ nowSeconds: NOW + 11 * DAY, log }));
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'warn', fields: { file: files.certificateFile, daysLeft: 29 } }),
    ]);
    expect(() => openNoiseIdentity(files, options({ nowSeconds: NOW + 40 * DAY + 1 }))).toThrow(
      /the certificate expired at .*; issue a new one with `hashwatt sv2 certificate renew --authority-key FILE`/,
    );
  });
});

describe('rotating and renewing', () => {
  it('rotate: a new static key and certificate, the old key kept private, the authority unchanged', () => {
    const files = keyFolder();
    const before = openNoiseIdentity(files, options());
    const authority = readSecretKeyFile(files.authorityKeyFile);
    const rotation = renewIdentity(files, authority, { newKey: true, days: 30, nowSeconds: NOW + DAY });
    const oldPublic = xOnlyPublicKey(before.identity.staticSecretKey).toString('hex');
    expect(rotation.keptAs).toBe(`${files.staticKeyFile}.retired-${oldPublic.slice(0, 16)}`);
    expect(mode(rotation.keptAs as string)).toBe(0o600);
    expect(readSecretKeyFile(rotation.keptAs as string)).toEqual(before.identity.staticSecretKey);

    const after = openNoiseIdentity(files, options({ nowSeconds: NOW + DAY }));
    expect(after.identity.staticSecretKey).not.toEqual(before.identity.staticSecretKey);
    expect(after.authorityPublicKey).toBe(before.authorityPublicKey);
    expect(after.certificate.certificate.notValidAfter).toBe(NOW + 31 * DAY);
    expect(handshakeWorks(after, before.authorityPublicKey, NOW + DAY)).toBe(true);
    expect(existsSync(`${files.staticKeyFile}.next`)).toBe(false);
  });

  it('renew: the same key with a new window; an interrupted run is reported, not overwritten', () => {
    const files = keyFolder();
    const before = openNoiseIdentity(files, options({ certificateDays: 10 }));
    const authority = readSecretKeyFile(files.authorityKeyFile);
    const renewal = renewIdentity(files, authority, { newKey: false, days: 365, nowSeconds: NOW + 9 * DAY });
    expect(renewal.keptAs).toBeUndefined();
    const after = openNoiseIdentity(files, options({ nowSeconds: NOW + 20 * DAY }));
    expect(after.identity.staticSecretKey).toEqual(before.identity.staticSecretKey);
    expect(after.certificate.certificate.notValidAfter).toBe(NOW + 374 * DAY);

    writeFileSync(`${files.certificateFile}.next`, 'left over');
    const certificate = readFileSync(files.certificateFile, 'utf8');
    expect(() => renewIdentity(files, authority, { newKey: false, days: 1, nowSeconds: NOW })).toThrow(
      `${files.certificateFile}.next exists: a rotation was interrupted; remove it and run the command again`,
    );
    expect(readFileSync(files.certificateFile, 'utf8')).toBe(certificate);
  });
});
