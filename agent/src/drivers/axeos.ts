import type { MinerIdentity } from '@hashwatt/schemas';
import { assemble, type MinerDriver } from './driver.ts';
import { count, num, record, str } from './fields.ts';
import { getPaths } from './http.ts';

/**
 * Bitaxe and other ESP-Miner boards (AxeOS): `GET /api/system/info`, hashRate in GH/s,
 * power in W, one fan; expected hashrate is small cores × ASICs × frequency (MH/s).
 */
export const axeos: MinerDriver = {
  name: 'axeos',
  firmware: 'axeos',
  make: 'Bitaxe',
  async read(device, context) {
    const startedMs = context.now().getTime();
    const { bodies, sources, warnings } = await getPaths(device, ['/api/system/info'], context);
    const info = record(bodies.get('/api/system/info')) ?? {};
    const asic = str(info.ASICModel);
    const firmwareVersion = str(info.version);
    const mac = str(info.macAddr);
    const hostname = str(info.hostname);
    const identity: MinerIdentity = {
      make: 'Bitaxe',
      firmware: 'axeos',
      algorithm: 'sha256d',
      ...(asic !== undefined && { model: asic }),
      ...(firmwareVersion !== undefined && { firmwareVersion }),
      ...(mac !== undefined && { mac }),
      ...(hostname !== undefined && { hostname }),
    };
    const rate = num(info.hashRate);
    const cores = num(info.smallCoreCount);
    const asics = num(info.asicCount) ?? 1;
    const frequency = num(info.frequency);
    const expected =
      cores !== undefined && frequency !== undefined ? cores * asics * frequency * 1e6 : undefined;
    const power = num(info.power);
    const chipTemp = num(info.temp);
    const rpm = num(info.fanrpm);
    const percent = num(info.fanspeed);
    const accepted = count(info.sharesAccepted);
    const rejected = count(info.sharesRejected);
    const uptime = count(info.uptimeSeconds);
    const url = str(info.stratumURL);
    const fallbackUrl = str(info.fallbackStratumURL);
    const onFallback = num(info.isUsingFallbackStratum) === 1;
    return assemble(
      device,
      identity,
      {
        ...(rate !== undefined && {
          hashrate: rate * 1e9,
          rawHashrate: { value: rate, unit: 'GH/s', field: 'hashRate' },
        }),
        ...(expected !== undefined && { expectedHashrate: expected }),
        ...(power !== undefined && { powerW: power, powerSource: 'miner' as const }),
        boards: [
          {
            slot: 0,
            ...(rate !== undefined && { hashrate: rate * 1e9 }),
            ...(expected !== undefined && { expectedHashrate: expected }),
            chips: asics,
            ...(chipTemp !== undefined && { chipTempC: chipTemp }),
            ...(frequency !== undefined && { frequencyMhz: frequency }),
          },
        ],
        fans: [{ id: 0, ...(rpm !== undefined && { rpm }), ...(percent !== undefined && { percent }) }],
        pools: [
          ...(url !== undefined
            ? [
                {
                  url: `stratum+tcp://${url}:${String(num(info.stratumPort) ?? 3333)}`,
                  user: str(info.stratumUser) ?? '',
                  fallback: false,
                },
              ]
            : []),
          ...(fallbackUrl !== undefined
            ? [
                {
                  url: `stratum+tcp://${fallbackUrl}:${String(num(info.fallbackStratumPort) ?? 3333)}`,
                  user: str(info.fallbackStratumUser) ?? '',
                  fallback: true,
                },
              ]
            : []),
        ].map((pool, index) => {
          // AxeOS tells which pool it works for, not whether the other one answers.
          const active = pool.fallback === onFallback;
          return { index, url: pool.url, user: pool.user, active, alive: active };
        }),
        ...(accepted !== undefined && rejected !== undefined && { shares: { accepted, rejected } }),
        ...(uptime !== undefined && { uptimeSeconds: uptime }),
      },
      { startedMs, sources, warnings },
      context,
    );
  },
};
