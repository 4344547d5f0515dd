/**
 * `hashwatt sv2 authority create | key show | key rotate | certificate renew`: the
 * Stratum V2 authority key miners pin, and the pool's static key and certificate it signs.
 */
import { encodeAuthorityPublicKey } from '../stratum/v2/noise/authority-key.ts';
import {
  createAuthorityKey,
  noiseKeyFiles,
  readCertificateFile,
  readSecretKeyFile,
  renewIdentity,
} from '../stratum/v2/noise-keys.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

type Action = 'authority create' | 'key show' | 'key rotate' | 'certificate renew';

function flag(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function dateOf(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

async function sv2Key(action: Action, args: readonly string[], context: CommandContext): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config } = prepared;
  const files = noiseKeyFiles(config);
  const nowSeconds = Math.floor(Date.now() / 1000);
  try {
    if (action === 'authority create') {
      const file = flag(args, '--out') ?? files.authorityKeyFile;
      const publicKey = createAuthorityKey(file);
      context.stdout.write(
        `new Stratum V2 authority key in ${file}\nauthority public key ${publicKey}\n` +
          'publish the public key for miners to pin; keep the file offline and backed up\n',
      );
      return 0;
    }
    if (action === 'key show') {
      const { certificate, serverPublicKey, authorityPublicKey } = readCertificateFile(files.certificateFile);
      context.stdout.write(
        [
          `authority public key ${encodeAuthorityPublicKey(authorityPublicKey)}`,
          `static public key ${serverPublicKey.toString('hex')}`,
          `certificate valid ${dateOf(certificate.validFrom)} – ${dateOf(certificate.notValidAfter)}`,
          '',
        ].join('\n'),
      );
      return 0;
    }
    const daysText = flag(args, '--days');
    const days = daysText === undefined ? config.sv2Noise.certificateDays : Number(daysText);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      context.stderr.write(
        `sv2 ${action}: --days ${String(daysText)}: a whole number of days from 1 to 3650\n`,
      );
      return 2;
    }
    const authorityFile = flag(args, '--authority-key') ?? files.authorityKeyFile;
    const renewal = renewIdentity(files, readSecretKeyFile(authorityFile), {
      newKey: action === 'key rotate',
      days,
      nowSeconds,
    });
    const { certificate, serverPublicKey, authorityPublicKey } = renewal.certificate;
    context.stdout.write(
      [
        action === 'key rotate'
          ? `new static key ${serverPublicKey.toString('hex')} in ${files.staticKeyFile}`
          : `new certificate for static key ${serverPublicKey.toString('hex')}`,
        `certificate in ${files.certificateFile}, valid ${dateOf(certificate.validFrom)} – ${dateOf(certificate.notValidAfter)}`,
        `signed by authority ${encodeAuthorityPublicKey(authorityPublicKey)}`,
        ...(renewal.keptAs === undefined ? [] : [`the old static key is kept as ${renewal.keptAs}`]),
        'restart the pool to use it',
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    context.stderr.write(`sv2 ${action}: ${problemOf(error)}\n`);
    return 1;
  }
}

export function authorityCreate(args: readonly string[], context: CommandContext): Promise<number> {
  return sv2Key('authority create', args, context);
}

export function keyShow(args: readonly string[], context: CommandContext): Promise<number> {
  return sv2Key('key show', args, context);
}

export function keyRotate(args: readonly string[], context: CommandContext): Promise<number> {
  return sv2Key('key rotate', args, context);
}

export function certificateRenew(args: readonly string[], context: CommandContext): Promise<number> {
  return sv2Key('certificate renew', args, context);
}
