/** Writes docs/config.md from the configuration schema (pnpm docs:config). */
import { writeFileSync } from 'node:fs';
import { configReference } from '../src/config.ts';

writeFileSync(new URL('../../docs/config.md', import.meta.url), configReference());
