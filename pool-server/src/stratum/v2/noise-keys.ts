import { createECDH, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { encodeAuthorityPublicKey, parseAuthorityPublicKey } from './noise/authority-key.ts';
import { checkCertificate, issueCertificate, type Certificate } from './noise/certificate.ts';
import { generateSecretKey, xOnlyPublicKey, type RandomSource } from './noise/ellswift.ts';
import { noiseServerIdentity, type NoiseServerIdentity } from './noise/responder.ts';

/**
 * The files behind the pool's Noise identity, kept as the report signing key is: a
 * private key in PKCS#8 PEM (mode 0600, refused when others may read it), made on first
 * start when there is none, checked at every start, replaced only by a command that keeps
 * the old file beside the new one. The certificate is public: JSON beside the key.
 */

export interface NoiseKeyFiles {
  readonly staticKeyFile: string;
  readonly certificateFile: string;
  readonly authorityKeyFile: string;
}

export function noiseKeyFiles(config: Config): NoiseKeyFiles {
  const { sv2Noise, dataDir } = config;
  return {
    staticKeyFile: sv2Noise.staticKeyFile ?? path.join(dataDir, 'sv2-static-key.pem'),
    certificateFile: sv2Noise.certificateFile ?? path.join(dataDir, 'sv2-certificate.json'),
    authorityKeyFile: sv2Noise.authorityKeyFile ?? path.join(dataDir, 'sv2-authority-key.pem'),
  };
}

const DAY_SECONDS = 86_400;
/** A certificate starts an hour back, so that a miner whose clock is slow still takes it. */
const BACKDATE_SECONDS = 3_600;
const RENEW_WARNING_SECONDS = 30 * DAY_SECONDS;
const ROTATE_COMMAND = 'hashwatt sv2 key rotate --authority-key FILE';
const RENEW_COMMAND = 'hashwatt sv2 certificate renew --authority-key FILE';

/** The file's secp256k1 secret key; a missing, unreadable, too open or foreign file throws, naming it. */
export function readSecretKeyFile(file: string): Buffer {
  let pem: string;
  try {
    const { mode } = statSync(file);
    if ((mode & 0o077) !== 0) {
      throw new Error(
        `${file} may be read by others (mode ${(mode & 0o777).toString(8)}): a secret key must be 0600; run chmod 600 ${file}`,
      );
    }
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === undefined) {
      throw error;
    }
    throw new Error(`${file} cannot be read (${code})`, { cause: error });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw new Error(`${file} is not a private key in PEM: ${(error as Error).message}`, { cause: error });
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'secp256k1') {
    throw new Error(
      `${file} holds a ${String(curve ?? key.asymmetricKeyType)} key; Stratum V2 keys are secp256k1`,
    );
  }
  return Buffer.from(key.export({ format: 'jwk' }).d as string, 'base64url');
}

/** Writes a new key file (never over an existing one), 0600 in a 0700 folder. */
export function writeSecretKeyFile(file: string, secretKey: Buffer): void {
  const ecdh = createECDH('secp256k1');
  ecdh.setPrivateKey(secretKey);
  const point = ecdh.getPublicKey(null, 'uncompressed');
  const key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'secp256k1',
      d: secretKey.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, key.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
}

/** What a certificate file holds: the certificate and the two keys it binds. */
export interface PoolCertificate {
  readonly certificate: Certificate;
  /** The static key it is for, x-only. */
  readonly serverPublicKey: Buffer;
  /** The authority key that signed it, x-only. */
  readonly authorityPublicKey: Buffer;
}

interface CertificateJson {
  readonly format: 'hashwatt-sv2-certificate';
  readonly version: number;
  readonly validFrom: number;
  readonly notValidAfter: number;
  readonly serverPublicKey: string;
  readonly authorityPublicKey: string;
  readonly signature: string;
}

function isHex(value: unknown, bytes: number): value is string {
  return typeof value === 'string' && new RegExp(`^[0-9a-f]{${String(bytes * 2)}}$`).test(value);
}

function isSeconds(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 0xffff_ffff;
}

export function readCertificateFile(file: string): PoolCertificate {
  let parsed: Partial<Record<keyof CertificateJson, unknown>>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    throw new Error(
      `${file} ${code === undefined ? `is not JSON: ${(error as Error).message}` : `cannot be read (${code})`}`,
      {
        cause: error,
      },
    );
  }
  const authority =
    typeof parsed.authorityPublicKey === 'string'
      ? parseAuthorityPublicKey(parsed.authorityPublicKey)
      : undefined;
  if (
    parsed.format !== 'hashwatt-sv2-certificate' ||
    !Number.isInteger(parsed.version) ||
    !isSeconds(parsed.validFrom) ||
    !isSeconds(parsed.notValidAfter) ||
    !isHex(parsed.serverPublicKey, 32) ||
    !isHex(parsed.signature, 64) ||
    authority?.ok !== true
  ) {
    throw new Error(
      `${file} is not a Stratum V2 certificate of this pool (format, version, validFrom, notValidAfter, serverPublicKey, authorityPublicKey, signature)`,
    );
  }
  return {
    certificate: {
      version: parsed.version as number,
      validFrom: parsed.validFrom,
      notValidAfter: parsed.notValidAfter,
      signature: Buffer.from(parsed.signature, 'hex'),
    },
    serverPublicKey: Buffer.from(parsed.serverPublicKey, 'hex'),
    authorityPublicKey: authority.publicKey,
  };
}

function certificateJson(issued: PoolCertificate): string {
  const json: CertificateJson = {
    format: 'hashwatt-sv2-certificate',
    version: issued.certificate.version,
    validFrom: issued.certificate.validFrom,
    notValidAfter: issued.certificate.notValidAfter,
    serverPublicKey: issued.serverPublicKey.toString('hex'),
    authorityPublicKey: encodeAuthorityPublicKey(issued.authorityPublicKey),
    signature: issued.certificate.signature.toString('hex'),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** The authority's certificate for `staticSecretKey`, valid from an hour ago for `days`. */
export function certify(
  authoritySecretKey: Buffer,
  staticSecretKey: Buffer,
  nowSeconds: number,
  days: number,
  random: RandomSource = randomBytes,
): PoolCertificate {
  const serverPublicKey = xOnlyPublicKey(staticSecretKey);
  const certificate = issueCertificate({
    authoritySecretKey,
    serverPublicKey,
    validFrom: Math.max(0, nowSeconds - BACKDATE_SECONDS),
    notValidAfter: Math.min(0xffff_ffff, nowSeconds + days * DAY_SECONDS),
    auxRand: random(32),
  });
  return { certificate, serverPublicKey, authorityPublicKey: xOnlyPublicKey(authoritySecretKey) };
}

export interface OpenOptions {
  /** The key configured as sv2Noise.authorityPublicKey, if any. */
  readonly pinnedAuthority: string | undefined;
  readonly certificateDays: number;
  readonly nowSeconds: number;
  readonly log: { warn(fields: object, message: string): void; info(fields: object, message: string): void };
  readonly random?: RandomSource;
}

export interface OpenedIdentity {
  readonly identity: NoiseServerIdentity;
  readonly certificate: PoolCertificate;
  /** What miners pin and the connect page shows. */
  readonly authorityPublicKey: string;
}

function pinnedKey(pinned: string | undefined): Buffer | undefined {
  if (pinned === undefined) {
    return undefined;
  }
  const parsed = parseAuthorityPublicKey(pinned);
  if (!parsed.ok) {
    throw new Error(`sv2Noise.authorityPublicKey (HASHWATT_SV2_NOISE_AUTHORITY_PUBLIC_KEY) ${parsed.reason}`);
  }
  return parsed.publicKey;
}

/** Makes the authority key (if it has none), the static key and its certificate: a fresh install's first start. */
function firstStart(files: NoiseKeyFiles, options: OpenOptions, random: RandomSource): void {
  let authoritySecretKey: Buffer;
  if (existsSync(files.authorityKeyFile)) {
    authoritySecretKey = readSecretKeyFile(files.authorityKeyFile);
  } else {
    authoritySecretKey = generateSecretKey(random);
    writeSecretKeyFile(files.authorityKeyFile, authoritySecretKey);
    options.log.warn(
      {
        file: files.authorityKeyFile,
        authorityPublicKey: encodeAuthorityPublicKey(xOnlyPublicKey(authoritySecretKey)),
      },
      'sv2: no Stratum V2 authority key yet: made one; publish its public key for miners to pin, keep the file offline and back it up',
    );
  }
  const staticSecretKey = generateSecretKey(random);
  const issued = certify(
    authoritySecretKey,
    staticSecretKey,
    options.nowSeconds,
    options.certificateDays,
    random,
  );
  writeSecretKeyFile(files.staticKeyFile, staticSecretKey);
  writeFileSync(files.certificateFile, certificateJson(issued), { flag: 'wx', mode: 0o644 });
  options.log.info(
    {
      file: files.staticKeyFile,
      notValidAfter: new Date(issued.certificate.notValidAfter * 1000).toISOString(),
    },
    'sv2: made the static key and its certificate',
  );
}

/**
 * The pool's Noise identity for this process, checked: the certificate is the authority's
 * signature over this static key (and the pinned authority's, when one is configured),
 * and valid now. A fresh install (neither file) gets both; one file without the other, a
 * certificate for another key or an expired one stops start-up, naming the files and
 * the command that mends them.
 */
export function openNoiseIdentity(files: NoiseKeyFiles, options: OpenOptions): OpenedIdentity {
  const random = options.random ?? randomBytes;
  const pinned = pinnedKey(options.pinnedAuthority);
  const hasKey = existsSync(files.staticKeyFile);
  const hasCertificate = existsSync(files.certificateFile);
  // With an authority pinned, a first start can only sign with that authority's own file.
  if (!hasKey && !hasCertificate && (pinned === undefined || existsSync(files.authorityKeyFile))) {
    firstStart(files, options, random);
  } else if (!hasKey || !hasCertificate) {
    const missing = hasKey ? files.certificateFile : files.staticKeyFile;
    throw new Error(
      `sv2: ${missing} is missing; restore it from a backup, or make a new static key and certificate with \`${ROTATE_COMMAND}\``,
    );
  }
  const staticSecretKey = readSecretKeyFile(files.staticKeyFile);
  const certificate = readCertificateFile(files.certificateFile);
  const staticPublicKey = xOnlyPublicKey(staticSecretKey);
  if (!certificate.serverPublicKey.equals(staticPublicKey)) {
    throw new Error(
      `sv2: ${files.certificateFile} certifies static key ${certificate.serverPublicKey.toString('hex')}, not the key in ${files.staticKeyFile} (${staticPublicKey.toString('hex')}); put the matching files back, or run \`${RENEW_COMMAND}\``,
    );
  }
  if (pinned !== undefined && !pinned.equals(certificate.authorityPublicKey)) {
    throw new Error(
      `sv2: ${files.certificateFile} is signed by authority ${encodeAuthorityPublicKey(certificate.authorityPublicKey)}, not the configured sv2Noise.authorityPublicKey ${encodeAuthorityPublicKey(pinned)}; miners that pinned that key would refuse it`,
    );
  }
  const check = checkCertificate(
    certificate.certificate,
    staticPublicKey,
    certificate.authorityPublicKey,
    options.nowSeconds,
    0,
  );
  if (!check.ok) {
    throw new Error(
      `sv2: ${files.certificateFile}: ${check.reason}; issue a new one with \`${RENEW_COMMAND}\``,
    );
  }
  const authorityPublicKey = encodeAuthorityPublicKey(certificate.authorityPublicKey);
  const secondsLeft = certificate.certificate.notValidAfter - options.nowSeconds;
  if (secondsLeft < RENEW_WARNING_SECONDS) {
    options.log.warn(
      { file: files.certificateFile, daysLeft: Math.floor(secondsLeft / DAY_SECONDS) },
      `sv2: the certificate expires soon; miners will refuse the pool after it: run \`${RENEW_COMMAND}\``,
    );
  }
  return {
    identity: noiseServerIdentity(staticSecretKey, certificate.certificate, random),
    certificate,
    authorityPublicKey,
  };
}

function replaceFile(next: string, file: string, keepAs: string | undefined): void {
  if (keepAs !== undefined && existsSync(file)) {
    renameSync(file, keepAs);
  }
  renameSync(next, file);
}

export interface Renewal {
  readonly certificate: PoolCertificate;
  /** Where the previous static key was kept, when rotating. */
  readonly keptAs: string | undefined;
}

/**
 * `hashwatt sv2 key rotate`: a new static key and its certificate; the old key kept beside
 * it (`.retired-<first 16 hex of its public key>`, 0600). `hashwatt sv2 certificate renew`
 * (`newKey` false): a new certificate for the same key. Running pools keep the old ones
 * until restarted; miners accept either, as long as the authority is the same.
 */
export function renewIdentity(
  files: NoiseKeyFiles,
  authoritySecretKey: Buffer,
  options: {
    readonly newKey: boolean;
    readonly days: number;
    readonly nowSeconds: number;
    readonly random?: RandomSource;
  },
): Renewal {
  const random = options.random ?? randomBytes;
  const nextKey = `${files.staticKeyFile}.next`;
  const nextCertificate = `${files.certificateFile}.next`;
  for (const next of [nextKey, nextCertificate]) {
    if (existsSync(next)) {
      throw new Error(`${next} exists: a rotation was interrupted; remove it and run the command again`);
    }
  }
  const staticSecretKey = options.newKey ? generateSecretKey(random) : readSecretKeyFile(files.staticKeyFile);
  const issued = certify(authoritySecretKey, staticSecretKey, options.nowSeconds, options.days, random);
  try {
    let keptAs: string | undefined;
    if (options.newKey) {
      writeSecretKeyFile(nextKey, staticSecretKey);
      if (existsSync(files.staticKeyFile)) {
        const old = xOnlyPublicKey(readSecretKeyFile(files.staticKeyFile)).toString('hex');
        keptAs = `${files.staticKeyFile}.retired-${old.slice(0, 16)}`;
      }
    }
    writeFileSync(nextCertificate, certificateJson(issued), { flag: 'wx', mode: 0o644 });
    if (options.newKey) {
      replaceFile(nextKey, files.staticKeyFile, keptAs);
    }
    replaceFile(nextCertificate, files.certificateFile, undefined);
    return { certificate: issued, keptAs };
  } finally {
    // A key without its certificate, or the reverse, is of no use: nothing half-made is left.
    rmSync(nextKey, { force: true });
    rmSync(nextCertificate, { force: true });
  }
}

/** `hashwatt sv2 authority create`: a new authority key file; its public key as miners pin it. */
export function createAuthorityKey(file: string, random: RandomSource = randomBytes): string {
  const secretKey = generateSecretKey(random);
  writeSecretKeyFile(file, secretKey);
  return encodeAuthorityPublicKey(xOnlyPublicKey(secretKey));
}
