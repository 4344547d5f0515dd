/**
 * The compiled build (`pnpm build`: tsc -b, then scripts/build-assets.mjs): what a
 * package's dist/ is built from, the stamp the build leaves there, and the check the bins
 * make before they run dist/. Plain JavaScript: the bins load it before any TypeScript
 * loader exists, and the runtime images carry it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');

/** Written last by the build into each package's dist/: dist/ is current when no source is newer. */
export const STAMP = '.build-stamp';

/** Tests and READMEs sit beside the code but are not built; everything else in src/ is. */
export const isBuildInput = (name) => !name.endsWith('.test.ts') && !name.endsWith('.md');

/**
 * The build inputs of a source folder, and the folders themselves: moving or deleting a
 * file changes no file's time, only its folder's.
 */
export function buildInputs(sourceDir) {
  const entries = readdirSync(sourceDir, { recursive: true, withFileTypes: true });
  return [
    sourceDir,
    ...entries
      .filter((entry) => entry.isDirectory() || isBuildInput(entry.name))
      .map((entry) => path.join(entry.parentPath, entry.name)),
  ];
}

/** Why a package's dist/ cannot be run as it is, or undefined when it can. */
function staleness(name) {
  const stamp = path.join(ROOT, name, 'dist', STAMP);
  if (!existsSync(stamp)) {
    return `${name}/dist is not built`;
  }
  const sourceDir = path.join(ROOT, name, 'src');
  // A runtime image carries dist/ without the sources: nothing there can be newer.
  if (!existsSync(sourceDir)) {
    return undefined;
  }
  const built = statSync(stamp).mtimeMs;
  const newer = buildInputs(sourceDir).find((file) => statSync(file).mtimeMs > built);
  return newer === undefined
    ? undefined
    : `${name}/dist is older than its sources (${path.relative(ROOT, newer)} changed since the build)`;
}

/**
 * Imports a bin's entry module, resolved by its package's `imports` map: the compiled one
 * in dist/, or, under the @hashwatt/source condition (as the tests and `pnpm hashwatt` run
 * it), the TypeScript source through tsx. A dist/ that is missing or older than the sources
 * of `packages` stops the program with the command that builds it: running yesterday's
 * code silently, or building on the spot (slow, and impossible where only dist/ is
 * installed), would both surprise.
 */
export async function importEntry(entryUrl, packages) {
  if (entryUrl.endsWith('.ts')) {
    const { register } = await import('tsx/esm/api');
    register();
  } else {
    const problem = packages.map(staleness).find((reason) => reason !== undefined);
    if (problem !== undefined) {
      const bin = path.relative(process.cwd(), process.argv[1] ?? '') || process.argv[1];
      process.stderr.write(
        `${problem}.\nBuild it with \`pnpm build\` in ${ROOT},\n` +
          `or run the TypeScript sources: node --conditions=@hashwatt/source ${bin}\n`,
      );
      process.exit(1);
    }
  }
  return import(entryUrl);
}
