import { describe, expect, it } from 'vitest';
import { findDevices, readMeters } from './agent.ts';
import { loadAgentConfig } from './config.ts';
import { dlmsRegisters, startDlmsEmulator } from './emulators/dlms-emulator.ts';

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

// Starts two emulated DLMS/COSEM meters on real sockets: one the agent reads, one that
// refuses its password.
describe('readMeters', () => {
  it('gives a reading with its tariffs, and a failed read with its reason rather than nothing', async () => {
    const clients = new Map<number, string | undefined>([[32, 'ABCDEFGH']]);
    const data = () => ({
      registers: dlmsRegisters({ tariffKwh: [10, 5], powerW: 1_500 }),
      serial: '14250012',
    });
    const good = await startDlmsEmulator({ data: data(), clients });
    const refusing = await startDlmsEmulator({ data: data(), clients });
    try {
      const meter = (name: string, port: number, password: string) => ({
        name,
        protocol: 'dlms',
        host: good.host,
        port,
        clientAddress: 32,
        password,
        tariffs: { 1: 'peak', 2: 'normal' },
      });
      const config = loadAgentConfig(
        { HASHWATT_AGENT_SERVER_URL: 'http://pool', HASHWATT_AGENT_API_KEY: 'hwk_x' },
        undefined,
        {
          meters: [
            meter('hall-c', good.port, 'ABCDEFGH'),
            { ...meter('tp-1', refusing.port, 'WRONG'), serial: '14250012' },
          ],
        },
      );
      const warned: unknown[] = [];
      const log = {
        info: () => undefined,
        warn: (fields: unknown) => warned.push(fields),
        error: () => undefined,
      };
      const at = new Date('2026-12-07T12:00:00Z');
      const readings = await readMeters(config, () => at, log);
      expect(readings).toEqual([
        {
          kind: 'meter',
          sample: {
            meter: 'hall-c',
            serial: '14250012',
            at: at.toISOString(),
            energyWh: 15_000,
            powerW: 1_500,
            tariffEnergyWh: { peak: 10_000, normal: 5_000 },
          },
        },
        {
          kind: 'meter-failure',
          failure: {
            meter: 'tp-1',
            serial: '14250012',
            at: at.toISOString(),
            reason: `${refusing.host}:${String(refusing.port)} (dlms): the association: the meter refused the association (permanently): authentication failure: wrong password`,
          },
        },
      ]);
      expect(warned).toHaveLength(1);
    } finally {
      await Promise.all([good.close(), refusing.close()]);
    }
  });
});
