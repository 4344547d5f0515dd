// Builds the native share hasher (native/share-hash.c) at install time.
// Without a C toolchain the pool still runs, on the slower node:crypto hasher,
// so a failed build warns instead of failing the install — except in CI, where
// the native engine is what gets tested and benchmarked.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const required = process.env.CI === 'true' || process.env.HASHWATT_REQUIRE_NATIVE === '1';

// Node's own headers ship with every official build and Debian's package; using
// them spares node-gyp a download from nodejs.org.
const nodePrefix = path.resolve(path.dirname(process.execPath), '..');
const args = ['rebuild'];
if (existsSync(path.join(nodePrefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${nodePrefix}`);
}

const result = spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) {
  const reason = result.error ? result.error.message : `node-gyp exited with ${String(result.status)}`;
  const message =
    `hashwatt: the native share hasher was not built (${reason}).\n` +
    'The pool will hash shares with node:crypto, several times slower (see BENCHMARKS.md).\n' +
    'Install a C compiler, make and python3, then run `pnpm rebuild @hashwatt/pool-server`.';
  console.error(message);
  process.exit(required ? 1 : 0);
}
