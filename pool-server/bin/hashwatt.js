#!/usr/bin/env node
// hashwatt runs the compiled pool from dist/ (`pnpm build`). Under the @hashwatt/source
// condition (node --conditions=@hashwatt/source, as the tests and `pnpm hashwatt` start
// it) it runs the TypeScript sources through tsx instead.
import { importEntry } from '../../scripts/compiled.mjs';

const { main } = await importEntry(import.meta.resolve('#main'), ['schemas', 'agent', 'pool-server']);
await main();
