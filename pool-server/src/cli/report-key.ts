/**
 * `hashwatt report key show | rotate`: the registry's current key; or a new key file
 * (the old one kept beside it), the old key retired and the new one registered.
 */
import { currentKey, registeredKeys, rotateSigningKey } from '../farms/reports/key-registry.ts';
import { closeStorage, connectDatabase, signingKeyFile } from '../roles/storage.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

async function reportKey(
  action: 'show' | 'rotate',
  args: readonly string[],
  context: CommandContext,
): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  const storage = await connectDatabase(config, log);
  try {
    if (action === 'rotate') {
      const file = signingKeyFile(config);
      const rotation = await rotateSigningKey(storage.db, file, Date.now());
      context.stdout.write(
        [
          `new report signing key ${rotation.current.fingerprint} in ${file}`,
          rotation.retired === undefined
            ? 'no key was registered before'
            : `retired key ${rotation.retired.fingerprint} (valid ${rotation.retired.validFrom.toISOString()} – ${rotation.retired.validUntil?.toISOString() ?? ''}); its reports still verify`,
          ...(rotation.keptAs === undefined ? [] : [`the old key file is kept as ${rotation.keptAs}`]),
          'restart the pool to sign with the new key',
          '',
        ].join('\n'),
      );
      return 0;
    }
    const current = currentKey(await registeredKeys(storage.db));
    if (current === undefined) {
      context.stderr.write('report key show: no key registered yet; the pool registers one when it starts\n');
      return 1;
    }
    context.stdout.write(
      `fingerprint ${current.fingerprint}\npublic key ${current.publicKey.toString('base64')}\nvalid from ${current.validFrom.toISOString()}\n`,
    );
    return 0;
  } catch (error) {
    context.stderr.write(`report key ${action}: ${problemOf(error)}\n`);
    return 1;
  } finally {
    await closeStorage(storage);
  }
}

export function show(args: readonly string[], context: CommandContext): Promise<number> {
  return reportKey('show', args, context);
}

export function rotate(args: readonly string[], context: CommandContext): Promise<number> {
  return reportKey('rotate', args, context);
}
