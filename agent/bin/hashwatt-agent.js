#!/usr/bin/env node
// hashwatt-agent runs the compiled agent from dist/ (`pnpm build`). Under the
// @hashwatt/source condition (node --conditions=@hashwatt/source, as the tests and
// `pnpm agent` start it) it runs the TypeScript sources through tsx instead.
import { importEntry } from '../../scripts/compiled.mjs';

const { main } = await importEntry(import.meta.resolve('#cli'), ['schemas', 'agent']);
process.exitCode = await main(process.argv.slice(2), process.env);
