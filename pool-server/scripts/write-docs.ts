/** Writes docs/config.md and docs/errors.md from the code they describe (pnpm write-docs). */
import { writeFileSync } from 'node:fs';
import { configReference } from '../src/config.ts';
import { errorsReference } from '../src/errors.ts';

writeFileSync(new URL('../../docs/config.md', import.meta.url), configReference());
writeFileSync(new URL('../../docs/errors.md', import.meta.url), errorsReference());
