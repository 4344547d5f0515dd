import type { MinerIdentity, MinerSample } from '@hashwatt/schemas';
import { withCommands } from '../drivers/capabilities.ts';
import { deviceKey, type DeviceAddress, type MinerDriver, type ReadContext } from '../drivers/driver.ts';

/**
 * One polling cycle over a farm's miners, a bounded number at a time. A miner that does
 * not answer becomes a sample too, state `unreachable` with the reason, named as it was
 * last seen: a dead miner must show on the dashboard, not vanish from it.
 */

export interface PolledDevice {
  readonly address: DeviceAddress;
  readonly driver: MinerDriver;
}

export class Poller {
  readonly #known = new Map<string, MinerIdentity>();

  async cycle(
    devices: readonly PolledDevice[],
    concurrency: number,
    context: ReadContext,
  ): Promise<MinerSample[]> {
    const samples: MinerSample[] = new Array<MinerSample>(devices.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < devices.length) {
        const index = next;
        next += 1;
        const device = devices[index];
        if (device) {
          samples[index] = await this.#read(device, context);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, devices.length)) }, worker));
    return samples;
  }

  async #read(device: PolledDevice, context: ReadContext): Promise<MinerSample> {
    const key = deviceKey(device.address);
    const startedMs = context.now().getTime();
    try {
      const sample = await device.driver.read(device.address, context);
      this.#known.set(key, sample.identity);
      return withCommands(device.driver.name, sample);
    } catch (error) {
      const now = context.now();
      return {
        device: key,
        at: now.toISOString(),
        identity: this.#known.get(key) ?? {
          make: device.driver.make,
          firmware: device.driver.firmware,
          algorithm: 'sha256d',
        },
        state: 'unreachable',
        boards: [],
        fans: [],
        pools: [],
        messages: [{ severity: 'error', message: error instanceof Error ? error.message : String(error) }],
        collection: { latencyMs: Math.max(0, now.getTime() - startedMs), sources: [], warnings: [] },
      };
    }
  }
}
