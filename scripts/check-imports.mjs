#!/usr/bin/env node
/**
 * Runs dependency-cruiser with .dependency-cruiser.mjs over every package and exits
 * non-zero on a violation. Through the API rather than the `depcruise` CLI: the CLI of
 * dependency-cruiser 18 refuses to start on Node 20, which hashwatt supports.
 */
import { cruise, format } from 'dependency-cruiser';
import config from '../.dependency-cruiser.mjs';

const packages = ['schemas', 'pool-server', 'agent', 'dashboard'];
const cruised = await cruise(packages, {
  ...config.options,
  validate: true,
  ruleSet: { forbidden: config.forbidden },
});
const report = await format(cruised.output, { outputType: 'err' });
process.stdout.write(report.output);
process.exitCode = report.exitCode;
