import { count, defined, num, record, str, type Record_ } from './fields.ts';
import { unsupported, type Parts } from './driver.ts';
import { httpAct, httpDriver } from './http.ts';
import { identifyBitcoinModel, nominalOf } from './models.ts';

/**
 * Bitaxe and other ESP-Miner boards (AxeOS): `GET /api/system/info`, hashRate in GH/s,
 * power in W, one fan; expected hashrate is small cores × ASICs × frequency (MH/s).
 */
export const axeos = httpDriver(
  {
    name: 'axeos',
    port: 80,
    firmware: 'axeos',
    make: 'Bitaxe',
    // AxeOS 2.14 on pauses and resumes mining; restart is older. No power target: it has none.
    act: async (device, order, context) => {
      const path = {
        sleep: '/api/system/pause',
        resume: '/api/system/resume',
        reboot: '/api/system/restart',
      }[order.action as 'sleep' | 'resume' | 'reboot'] as string | undefined;
      return path === undefined ? unsupported('AxeOS', order.action) : httpAct(device, path, context);
    },
  },
  ['/api/system/info'],
  (bodies) => {
    const info = record(bodies.get('/api/system/info')) ?? {};
    const rate = num(info.hashRate);
    const cores = num(info.smallCoreCount);
    const asics = num(info.asicCount) ?? 1;
    const frequency = num(info.frequency);
    const expected =
      cores !== undefined && frequency !== undefined ? cores * asics * frequency * 1e6 : undefined;
    const power = num(info.power);
    const accepted = count(info.sharesAccepted);
    const rejected = count(info.sharesRejected);
    const onFallback = num(info.isUsingFallbackStratum) === 1;
    // AxeOS names the ASIC; the table rates a board by it (a Bitaxe Supra is a BM1368).
    const facts = identifyBitcoinModel(str(info.ASICModel), 'Bitaxe');
    const pools = [
      {
        url: str(info.stratumURL),
        port: num(info.stratumPort),
        user: str(info.stratumUser),
        fallback: false,
      },
      {
        url: str(info.fallbackStratumURL),
        port: num(info.fallbackStratumPort),
        user: str(info.fallbackStratumUser),
        fallback: true,
      },
    ].filter((pool): pool is typeof pool & { url: string } => pool.url !== undefined);
    return {
      identity: {
        make: 'Bitaxe',
        firmware: 'axeos',
        algorithm: facts.algorithm,
        ...nominalOf(facts),
        ...defined({
          model: str(info.ASICModel),
          firmwareVersion: str(info.version),
          mac: str(info.macAddr),
          hostname: str(info.hostname),
        }),
      },
      parts: {
        ...defined({
          hashrate: rate === undefined ? undefined : rate * 1e9,
          rawHashrate: rate === undefined ? undefined : { value: rate, unit: 'GH/s', field: 'hashRate' },
          expectedHashrate: expected,
          powerW: power,
          powerSource: power === undefined ? undefined : ('miner' as const),
          shares: accepted !== undefined && rejected !== undefined ? { accepted, rejected } : undefined,
          uptimeSeconds: count(info.uptimeSeconds),
        }),
        boards: [
          {
            slot: 0,
            chips: asics,
            ...defined({
              hashrate: rate === undefined ? undefined : rate * 1e9,
              expectedHashrate: expected,
              chipTempC: num(info.temp),
              frequencyMhz: frequency,
            }),
          },
        ],
        fans: [{ id: 0, ...defined({ rpm: num(info.fanrpm), percent: num(info.fanspeed) }) }],
        ...axeosState(info),
        pools: pools.map((pool, index) => {
          // AxeOS tells which pool it works for, not whether the other one answers.
          const active = pool.fallback === onFallback;
          return {
            index,
            url: `stratum+tcp://${pool.url}:${String(pool.port ?? 3333)}`,
            user: pool.user ?? '',
            active,
            alive: active,
          };
        }),
      },
    };
  },
);

/**
 * AxeOS's own word in `/api/system/info` (skot/ESP-Miner `main/http_server/http_server.c`):
 * `miningPaused` true (after `/api/system/pause`, 2.14 on) is sleeping; `overheat_mode` 1
 * (it cut the ASIC's power at its temperature limit, until cleared) is a fault. Otherwise
 * the hashrate and uptime decide (an ASIC not hashing yet after boot is starting).
 */
export function axeosState(info: Record_): Pick<Parts, 'state' | 'stateEvidence' | 'messages'> {
  if (info.miningPaused === true) {
    return { state: 'sleeping', stateEvidence: 'http:/api/system/info miningPaused=true' };
  }
  if (num(info.overheat_mode) === 1) {
    return {
      state: 'error',
      stateEvidence: 'http:/api/system/info overheat_mode=1',
      messages: [
        { severity: 'error', message: 'AxeOS overheat mode: the ASIC is off until the mode is cleared' },
      ],
    };
  }
  return {};
}
