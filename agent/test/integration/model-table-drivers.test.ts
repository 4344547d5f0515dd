// The drivers of firmware that names its model (Auradine's `ipreport`, Whatsminer's
// `type`; AxeOS's ASIC and a known Whatsminer are in http-drivers and whatsminer-v3
// tests) look it up in the model table, read over their real protocols
// from emulators answering with captured replies: the nameplate comes with the sample,
// and a model the table does not know keeps SHA-256 (the firmware mines nothing else)
// with no nameplate, never one made up.
import { describe, expect, it } from 'vitest';
import { auradine } from '../../src/drivers/auradine.ts';
import { whatsminerV3 } from '../../src/drivers/whatsminer-v3.ts';
import { startFramedEmulator } from '../../src/emulators/framed-emulator.ts';
import { context, emulate } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const AURADINE = ['summary', 'devs', 'pools', 'fan', 'temperature', 'psu', 'mode', 'ipreport'];

describe('the model table behind the drivers', () => {
  it('Auradine: ipreport model AT1500, its serial and MAC, and its nameplate', async () => {
    const sample = await auradine.read(
      await emulate(
        Object.fromEntries(AURADINE.map((name) => [name, `auradine__fluxos_gcminer_rpc4028__${name}`])),
      ),
      context,
    );
    expect(sample.identity).toMatchObject({
      make: 'Auradine',
      model: 'AT1500',
      serial: 'AU23200006',
      mac: '1c:00:00:0e:3b:2b',
      algorithm: 'sha256d',
      nominalHashrate: 180e12,
      nominalPowerW: 3800,
    });
  });

  it('Whatsminer API v3: a type the table does not know keeps SHA-256 and no nameplate', async () => {
    const v3 = (suffix: string) => fixture(`whatsminer__btminer_api_v3_tcp4433__${suffix}`).response;
    const info = v3('get_device_info') as { msg: { miner: Record<string, unknown> } };
    const serve = async (type: string) => {
      const named = { ...info, msg: { ...info.msg, miner: { ...info.msg.miner, type } } };
      const emulator = await startFramedEmulator((request) =>
        request.cmd === 'get.device.info' ? named : v3(`get_miner_status_${String(request.param)}`),
      );
      try {
        return (await whatsminerV3.read(emulator, context)).identity;
      } finally {
        await emulator.close();
      }
    };
    const unknown = await serve('M99X_VZ10');
    expect(unknown.algorithm).toBe('sha256d');
    expect(unknown.nominalHashrate).toBeUndefined();
  });
});
