import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Group or others may do anything but pass through: the most dataDir itself may allow. */
const TOP_FOLDER_ALLOWED = 0o710;
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

interface ModeFix {
  readonly path: string;
  /** Octal, as ls would show it: '777' */
  readonly was: string;
  readonly now: string;
}

/**
 * Makes dataDir private whoever runs the pool, whatever the umask: it holds the report
 * signing key, the embedded database's password and the share journal. Folders become
 * 0700 and files 0600; dataDir itself may keep group search (0710), which the embedded
 * database's own user needs when the pool runs as root. `skip` names folders whose
 * modes their owner manages (PostgreSQL's data folder). Returns what it changed.
 */
export async function makeDataDirPrivate(dataDir: string, skip: readonly string[]): Promise<ModeFix[]> {
  await mkdir(dataDir, { recursive: true, mode: FOLDER_MODE });
  const skipped = new Set(skip.map((folder) => path.resolve(folder)));
  const fixes: ModeFix[] = [];
  /** Any bit beyond `allowed` (a 0777 folder, a 0644 key) and the mode becomes `wanted`. */
  const tighten = async (target: string, allowed: number, wanted: number): Promise<void> => {
    const mode = (await lstat(target)).mode & 0o7777;
    if ((mode & ~allowed) !== 0) {
      await chmod(target, wanted);
      fixes.push({ path: target, was: mode.toString(8), now: wanted.toString(8) });
    }
  };
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const target = path.join(folder, entry.name);
      if (entry.isDirectory() && !skipped.has(target)) {
        await tighten(target, FOLDER_MODE, FOLDER_MODE);
        await walk(target);
      } else if (entry.isFile()) {
        await tighten(target, FILE_MODE, FILE_MODE);
      }
    }
  };
  const top = path.resolve(dataDir);
  await tighten(top, TOP_FOLDER_ALLOWED, FOLDER_MODE);
  await walk(top);
  return fixes;
}
