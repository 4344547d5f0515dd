import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RegisteredSigningKey, ReportVerification } from '@hashwatt/schemas';
import { digestSigned, keyFingerprint } from './signing.ts';

/**
 * `hashwatt report verify FILE`: hashes the file, asks the pool what it issued under
 * that digest, and checks the Ed25519 signature here: under the pool's registered key
 * the report names, valid when it was issued (never under the key its row carries), or
 * under the key pinned with --fingerprint or --public-key (then a pool that lies about
 * its keys is caught too). With --signature and --public-key it needs no pool at all.
 */

export interface CheckOptions {
  readonly server: string;
  /** The pool's raw public key, base64, as GET /api/reports/signing-key gives it. */
  readonly publicKey: string | undefined;
  /** A key fingerprint pinned beforehand (SHA-256 of the raw public key, hex, as printed on each report). */
  readonly fingerprint: string | undefined;
  /** The signature, base64, as the X-Hashwatt-Signature header gave it: checked offline. */
  readonly signature: string | undefined;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
}

const USAGE =
  'usage: hashwatt report verify FILE [--server URL] [--fingerprint HEX | --public-key BASE64] [--signature BASE64 (with --public-key: offline)]';

/** Parses `FILE [--server URL] [--public-key K] [--signature S]`; a string is the problem. */
export function checkArguments(
  args: readonly string[],
  defaultServer: string,
): { file: string; options: CheckOptions } | string {
  let file: string | undefined;
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--')) {
      const value = args[index + 1];
      if (
        !['--server', '--public-key', '--fingerprint', '--signature', '--config'].includes(arg) ||
        value === undefined
      ) {
        return `${arg}: unknown option or missing value; ${USAGE}`;
      }
      flags.set(arg, value);
      index += 1;
    } else if (file === undefined) {
      file = arg;
    } else {
      return `one file at a time; ${USAGE}`;
    }
  }
  if (file === undefined) {
    return USAGE;
  }
  if (flags.has('--signature') && !flags.has('--public-key')) {
    return `--signature needs --public-key: a signature means nothing without the key; ${USAGE}`;
  }
  if (flags.has('--fingerprint') && flags.has('--public-key')) {
    return `pin one key: --fingerprint or --public-key; ${USAGE}`;
  }
  const fingerprint = flags.get('--fingerprint')?.toLowerCase();
  if (fingerprint !== undefined && !/^[0-9a-f]{64}$/.test(fingerprint)) {
    return `--fingerprint is 64 hex digits (the SHA-256 printed on the report); ${USAGE}`;
  }
  return {
    file,
    options: {
      server: (flags.get('--server') ?? defaultServer).replace(/\/+$/, ''),
      publicKey: flags.get('--public-key'),
      fingerprint,
      signature: flags.get('--signature'),
    },
  };
}

function describe(verification: ReportVerification): string {
  const { report } = verification;
  const subject =
    report.farmId === null
      ? `jurisdiction ${[report.country, ...report.regions].join(' ')}`
      : `farm ${report.farmId}`;
  return `report ${report.id} (${subject}, ${report.from} – ${report.to}, ${report.language}, ${report.format}) issued ${report.issuedAt}`;
}

export async function checkReportFile(file: string, options: CheckOptions): Promise<CheckResult> {
  const digest = createHash('sha256').update(readFileSync(file)).digest();
  const hex = digest.toString('hex');
  if (options.signature !== undefined && options.publicKey !== undefined) {
    return digestSigned(
      digest,
      Buffer.from(options.signature, 'base64'),
      Buffer.from(options.publicKey, 'base64'),
    )
      ? { ok: true, message: `VERIFIED offline: SHA-256 ${hex} is signed by key ${options.publicKey}` }
      : {
          ok: false,
          message: `NOT VERIFIED: the signature does not match this file (SHA-256 ${hex}) under key ${options.publicKey}`,
        };
  }
  const response = await fetch(`${options.server}/api/reports/verify/${hex}`, {
    signal: AbortSignal.timeout(15_000),
  });
  if (response.status === 404) {
    return {
      ok: false,
      message: `NOT VERIFIED: ${options.server} issued no report with SHA-256 ${hex}: the file was changed after it was issued, or it is not one of that pool's`,
    };
  }
  if (!response.ok) {
    throw new Error(`${options.server} answered ${String(response.status)} ${await response.text()}`);
  }
  const verification = (await response.json()) as ReportVerification;
  const { report } = verification;
  const rowKey = Buffer.from(report.publicKey, 'base64');
  const rowFingerprint = keyFingerprint(rowKey);
  let key: Buffer;
  if (options.publicKey !== undefined || options.fingerprint !== undefined) {
    // Pinned: the pool's word about its keys counts for nothing.
    const pinned = options.fingerprint ?? keyFingerprint(Buffer.from(options.publicKey ?? '', 'base64'));
    if (rowFingerprint !== pinned) {
      return {
        ok: false,
        message: `NOT VERIFIED: ${describe(verification)} was signed by key ${rowFingerprint}, not the pinned ${pinned}`,
      };
    }
    key = rowKey;
  } else {
    const registry = await fetch(`${options.server}/api/reports/signing-keys`, {
      signal: AbortSignal.timeout(15_000),
    });
    if (!registry.ok) {
      throw new Error(`${options.server} answered ${String(registry.status)} ${await registry.text()}`);
    }
    const keys = (await registry.json()) as RegisteredSigningKey[];
    const registered = keys.find((known) => known.fingerprint === rowFingerprint);
    if (registered === undefined) {
      return {
        ok: false,
        message: `NOT VERIFIED: ${describe(verification)} is not signed by a key of this pool: key ${rowFingerprint} is not in its key registry`,
      };
    }
    const issued = Date.parse(report.issuedAt);
    const until = registered.validUntil === null ? Infinity : Date.parse(registered.validUntil);
    if (issued < Date.parse(registered.validFrom) || issued >= until) {
      return {
        ok: false,
        message: `NOT VERIFIED: ${describe(verification)} was issued outside the validity of key ${rowFingerprint} (${registered.validFrom} – ${registered.validUntil ?? 'now'})`,
      };
    }
    key = Buffer.from(registered.publicKey, 'base64');
  }
  const signed = digestSigned(digest, Buffer.from(report.signature, 'base64'), key);
  return signed
    ? {
        ok: true,
        message: `VERIFIED: ${describe(verification)}; SHA-256 ${hex}; Ed25519 signature by key ${rowFingerprint}`,
      }
    : {
        ok: false,
        message: `NOT VERIFIED: the signature the pool holds for SHA-256 ${hex} does not hold under key ${rowFingerprint}`,
      };
}
