import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ReportVerification } from '@hashwatt/schemas';
import { digestSigned } from './report-signing.ts';

/**
 * `hashwatt report verify FILE`: hashes the file, asks the pool what it issued under
 * that digest, and checks the Ed25519 signature here, under the key pinned with
 * --public-key when one is given (then a pool that lies about its key is caught too).
 * With --signature and --public-key it needs no pool at all.
 */

export interface CheckOptions {
  readonly server: string;
  /** The pool's raw public key, base64, as GET /api/reports/signing-key gives it. */
  readonly publicKey: string | undefined;
  /** The signature, base64, as the X-Hashwatt-Signature header gave it: checked offline. */
  readonly signature: string | undefined;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly message: string;
}

const USAGE =
  'usage: hashwatt report verify FILE [--server URL] [--public-key BASE64] [--signature BASE64 (with --public-key: offline)]';

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
      if (!['--server', '--public-key', '--signature', '--config'].includes(arg) || value === undefined) {
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
  return {
    file,
    options: {
      server: (flags.get('--server') ?? defaultServer).replace(/\/+$/, ''),
      publicKey: flags.get('--public-key'),
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
  const key = options.publicKey ?? verification.report.publicKey;
  if (key !== verification.report.publicKey) {
    return {
      ok: false,
      message: `NOT VERIFIED: ${describe(verification)} was signed by key ${verification.report.publicKey}, not the pinned ${key}`,
    };
  }
  const signed = digestSigned(
    digest,
    Buffer.from(verification.report.signature, 'base64'),
    Buffer.from(key, 'base64'),
  );
  return signed
    ? {
        ok: true,
        message: `VERIFIED: ${describe(verification)}; SHA-256 ${hex}; Ed25519 signature by key ${key}`,
      }
    : {
        ok: false,
        message: `NOT VERIFIED: the signature the pool holds for SHA-256 ${hex} does not hold under key ${key}`,
      };
}
