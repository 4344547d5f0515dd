import { loadAgentConfig } from '../src/config.ts';
import type { MeterEntry } from '../src/meters/meter-config.ts';

/** The least an agent's configuration needs beside its meters. */
const AGENT_ENVIRONMENT = {
  HASHWATT_AGENT_SERVER_URL: 'https://pool.example.org',
  HASHWATT_AGENT_API_KEY: 'hwk_test',
};

/**
 * The meter entries of an agent configuration holding `meters`, loaded as the agent loads
 * them (defaults, checks, passwords read); throws the configuration's problems.
 */
export function loadMeters(
  meters: readonly Record<string, unknown>[],
  environment: Readonly<Record<string, string>> = {},
): MeterEntry[] {
  return loadAgentConfig({ ...AGENT_ENVIRONMENT, ...environment }, undefined, { meters: [...meters] }).meters;
}

/** The entry of a configuration that holds this one meter. */
export function meterEntry(
  meter: Record<string, unknown>,
  environment: Readonly<Record<string, string>> = {},
): MeterEntry {
  const [first] = loadMeters([meter], environment);
  if (!first) {
    throw new Error('no meter in the configuration');
  }
  return first;
}
