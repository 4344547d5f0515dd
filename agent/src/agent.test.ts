import { describe, expect, it } from 'vitest';
import { findDevices } from './agent.ts';
import { loadAgentConfig } from './config.ts';

describe('findDevices', () => {
  it("gives a configured device without a port its driver's own (AxeOS 80, Whatsminer v3 4433, cgminer 4028)", async () => {
    const config = loadAgentConfig(
      { HASHWATT_AGENT_SERVER_URL: 'http://pool', HASHWATT_AGENT_API_KEY: 'hwk_x' },
      undefined,
      {
        devices: [
          { host: '10.0.4.2', driver: 'axeos' },
          { host: '10.0.4.3', driver: 'whatsminer-v3' },
          { host: '10.0.4.4', driver: 'luxos' },
          { host: '10.0.4.5', port: 14028, driver: 'antminer' },
        ],
      },
    );
    const devices = await findDevices(config);
    expect(devices.map((device) => [device.address.host, device.address.port, device.driver.name])).toEqual([
      ['10.0.4.2', 80, 'axeos'],
      ['10.0.4.3', 4433, 'whatsminer-v3'],
      ['10.0.4.4', 4028, 'luxos'],
      ['10.0.4.5', 14028, 'antminer'],
    ]);
  });
});
