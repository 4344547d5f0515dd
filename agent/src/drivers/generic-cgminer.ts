import { fetchWithWorkMode, readAntminer } from './antminer.ts';
import { defineDriver } from './driver.ts';

/**
 * A cgminer-speaking device no probe recognised (Innosilicon, StrongU, iBeLink, …):
 * read the way stock Antminers are (summary, stats, pools are cgminer's own), its
 * maker and model from the name or banner it gives, and what it hashes from the model
 * table, else from cgminer's `coin` (`Hash Method`), else unknown: never assumed
 * SHA-256, so it is never counted as Bitcoin hashrate by mistake.
 */
export const genericCgminer = defineDriver(
  { name: 'cgminer', port: 4028, firmware: 'cgminer', make: 'unknown' },
  (device, context) => fetchWithWorkMode(device, context, ['version', 'summary', 'stats', 'pools', 'coin']),
  (bodies) => {
    const reading = readAntminer(bodies, undefined);
    return { ...reading, identity: { ...reading.identity, firmware: 'cgminer' } };
  },
);
