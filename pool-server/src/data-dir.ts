import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';

/** The owner's bits, and the group's search on dataDir itself: what stays when a mode is tightened. */
const OWNER_ONLY = 0o700;
const TOP_FOLDER_ALLOWED = 0o710;
/** [chmod(2)] S_ISVTX: a folder anyone may add to, as /tmp. */
const STICKY = 0o1000;

interface ModeFix {
  readonly path: string;
  /** Octal, as ls would show it: '777' */
  readonly was: string;
  readonly now: string;
}

/**
 * Makes dataDir private whoever runs the pool, whatever the umask: it holds the report
 * signing key, the embedded database's password and the share journal. Group and others
 * lose every right (a 0666 file becomes 0600, a 0777 folder 0700); the owner's are kept.
 * dataDir itself may keep group search (0710), which the embedded database's own user
 * needs when the pool runs as root. `skip` names folders whose modes their owner manages
 * (PostgreSQL's data folder). A shared folder such as /tmp is refused, not tightened.
 * Returns what it changed.
 */
export async function makeDataDirPrivate(dataDir: string, skip: readonly string[]): Promise<ModeFix[]> {
  await mkdir(dataDir, { recursive: true, mode: OWNER_ONLY });
  const skipped = new Set(skip.map((folder) => path.resolve(folder)));
  const fixes: ModeFix[] = [];
  /** A mode with any bit beyond `allowed` keeps only those of `kept`. */
  const tighten = async (target: string, allowed: number, kept = allowed): Promise<void> => {
    const mode = (await lstat(target)).mode & 0o7777;
    if ((mode & ~allowed) !== 0) {
      const now = mode & kept;
      await chmod(target, now);
      fixes.push({ path: target, was: mode.toString(8), now: now.toString(8) });
    }
  };
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const target = path.join(folder, entry.name);
      if (entry.isDirectory() && !skipped.has(target)) {
        await tighten(target, OWNER_ONLY);
        await walk(target);
      } else if (entry.isFile()) {
        await tighten(target, OWNER_ONLY);
      }
    }
  };
  const top = path.resolve(dataDir);
  if (((await lstat(top)).mode & STICKY) !== 0) {
    throw new Error(`${top} is a folder others share (like /tmp): give dataDir a folder of its own`);
  }
  // Tightened, it is the owner's alone; the embedded database gives its group search back when it needs it.
  await tighten(top, TOP_FOLDER_ALLOWED, OWNER_ONLY);
  await walk(top);
  return fixes;
}
