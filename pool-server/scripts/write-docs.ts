/**
 * Writes docs/config.md, docs/errors.md and the JSON Schema of the JSON regulator report
 * (schemas/power-report-1.schema.json) from the code they describe (pnpm write-docs).
 */
import { writeFileSync } from 'node:fs';
import { powerReportJsonSchema } from '../src/farms/reports/json.ts';
import { configReference } from '../src/config.ts';
import { errorsReference } from '../src/errors.ts';

writeFileSync(new URL('../../docs/config.md', import.meta.url), configReference());
writeFileSync(new URL('../../docs/errors.md', import.meta.url), errorsReference());
writeFileSync(new URL('../../schemas/power-report-1.schema.json', import.meta.url), powerReportJsonSchema());
