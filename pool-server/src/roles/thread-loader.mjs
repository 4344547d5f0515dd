// A worker thread's first module: it loads the thread's own module, named in workerData.entry.
// Compiled JavaScript is imported as it is; TypeScript source (tests, `pnpm dev`) goes
// through tsx, whose loader a worker thread does not inherit from the thread that made it.
import { workerData } from 'node:worker_threads';

const { entry } = workerData;
if (entry.endsWith('.ts')) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(entry, import.meta.url);
} else {
  await import(entry);
}
