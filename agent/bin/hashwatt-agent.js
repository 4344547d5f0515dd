#!/usr/bin/env node
// The agent is TypeScript run by tsx, as the rest of hashwatt: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
