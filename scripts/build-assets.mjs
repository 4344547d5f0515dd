// The build's last step, after `tsc -b tsconfig.build.json`: each package's dist/ gets the
// files of src/ that tsc does not emit (SQL migrations, the .mjs thread files), loses what
// no source makes any more (a moved module, a renamed migration that would run twice), and
// is stamped current (see compiled.mjs).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { ROOT, STAMP, buildInputs, isBuildInput } from './compiled.mjs';

// The packages named (the agent's image builds two), or all that tsconfig.build.json builds.
const requested = process.argv.slice(2);
const packages = requested.length > 0 ? requested : ['schemas', 'agent', 'pool-server'];

/** The source a dist/ file is made from: itself (an asset), or the .ts it is compiled from. */
function sourcesOf(relative) {
  const compiled = /\.(d\.ts|js)$/.exec(relative);
  return compiled === null ? [relative] : [relative, `${relative.slice(0, compiled.index)}.ts`];
}

function finishPackage(name) {
  const sourceDir = path.join(ROOT, name, 'src');
  const distDir = path.join(ROOT, name, 'dist');
  for (const file of buildInputs(sourceDir)) {
    const relative = path.relative(sourceDir, file);
    if (path.extname(file) !== '.ts' && statSync(file).isFile()) {
      mkdirSync(path.dirname(path.join(distDir, relative)), { recursive: true });
      copyFileSync(file, path.join(distDir, relative));
    }
  }
  for (const entry of readdirSync(distDir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const relative = path.relative(distDir, file);
    const kept =
      entry.isDirectory() ||
      relative === STAMP ||
      relative === '.tsbuildinfo' ||
      sourcesOf(relative).some(
        (source) => isBuildInput(path.basename(source)) && existsSync(path.join(sourceDir, source)),
      );
    if (!kept) {
      rmSync(file);
    }
  }
  removeEmptyFolders(distDir);
  writeFileSync(path.join(distDir, STAMP), `${new Date().toISOString()}\n`);
}

function removeEmptyFolders(folder) {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const inner = path.join(folder, entry.name);
      removeEmptyFolders(inner);
      if (readdirSync(inner).length === 0) {
        rmdirSync(inner);
      }
    }
  }
}

for (const name of packages) {
  finishPackage(name);
}
