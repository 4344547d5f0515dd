// The miners' thread starts here: a worker thread has no TypeScript loader of its own.
import { register } from 'tsx/esm/api';

register();
await import('./cpu-miner-worker.ts');
