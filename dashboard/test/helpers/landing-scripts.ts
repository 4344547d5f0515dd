/**
 * The JavaScript a first visit to the dashboard loads before the landing page draws, read
 * from a production build: the entry script and the modules index.html preloads, and the
 * English catalogue, which the entry awaits before its first render. The e2e test holds it
 * to its budget and the benchmark records it; both count it here so they agree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Paths under the build's folder, as index.html names them ("assets/…"). */
export function landingScripts(outDir: string): string[] {
  const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
  const linked = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((match) => match[1] ?? '');
  const english = readdirSync(path.join(outDir, 'assets')).find((file) => /^en-[\w-]+\.js$/.test(file));
  if (linked.length === 0 || english === undefined) {
    throw new Error(`the build in ${outDir} has no entry script or no English catalogue`);
  }
  return [...linked, `assets/${english}`];
}

/** Their bytes gzipped at level 9, each file on its own as a server sends it. */
export function gzippedBytes(outDir: string, files: readonly string[]): number {
  return files.reduce(
    (sum, file) => sum + gzipSync(readFileSync(path.join(outDir, file)), { level: 9 }).length,
    0,
  );
}
