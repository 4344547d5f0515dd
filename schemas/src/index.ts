export * from './admin.ts';
export * from './auth.ts';
export * from './common.ts';
export * from './farms.ts';
export * from './miners.ts';
export * from './pool.ts';
export * from './telemetry.ts';
export * from './reports.ts';
