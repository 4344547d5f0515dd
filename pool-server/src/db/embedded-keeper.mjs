// The embedded database's keeper starts here: a forked process has no TypeScript loader of its own.
import { register } from 'tsx/esm/api';

register();
await import('./embedded-keeper.ts');
