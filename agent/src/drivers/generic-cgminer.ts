import { antminer } from './antminer.ts';
import type { MinerDriver } from './driver.ts';

/**
 * A cgminer-speaking device no probe recognised: read the way stock Antminers are
 * (summary, stats, pools are cgminer's own), and named by what it calls itself.
 */
export const genericCgminer: MinerDriver = {
  name: 'cgminer',
  port: 4028,
  firmware: 'cgminer',
  make: 'unknown',
  async read(device, context) {
    const sample = await antminer.read(device, context);
    const make = sample.identity.model?.split(' ')[0] ?? 'unknown';
    return { ...sample, identity: { ...sample.identity, make, firmware: 'cgminer' } };
  },
};
