#!/usr/bin/env node
// hashwatt is TypeScript run by tsx: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
await main();
