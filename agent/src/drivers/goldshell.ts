import type { HashBoard } from '@hashwatt/schemas';
import { defineDriver } from './driver.ts';
import { count, defined, num, record, records, str, type Record_ } from './fields.ts';
import { goldshellSupport } from './capabilities.ts';
import { goldshellAct, goldshellLogIn, SLEEP_LEVEL } from './goldshell-web.ts';
import { getPaths } from './http.ts';
import { identifyModel, nominalOf } from './models.ts';

/**
 * Goldshell (KD, CK, LT, HS, Box series): the web API on port 80 (pyasic
 * `pyasic/web/goldshell.py`). `/mcb/cgminer?cgminercmd=devs` gives one entry per hash
 * board (`hashrate` in MH/s, `temp` "83.0 °C / 73.8 °C", `fanspeed` "2940 rpm / …"),
 * `/mcb/pools` the pools, `/mcb/setting` the MAC in `name`, `/mcb/status` the model and
 * firmware. Firmware from 2.2 on wants a JWT from `/user/login` (admin / 123456789 by
 * default); older firmware answers without one, and is asked so first. Reboot, sleep,
 * wake and pool switch go through the same API (goldshell-web.ts).
 */

const DEVS = '/mcb/cgminer?cgminercmd=devs';
const PATHS = [DEVS, '/mcb/pools', '/mcb/setting', '/mcb/status'] as const;

export const goldshell = defineDriver(
  { name: 'goldshell', port: 80, firmware: 'goldshell', make: 'Goldshell', act: goldshellAct },
  async (device, context) => {
    try {
      return await getPaths(device, PATHS, context);
    } catch (error) {
      // Every path refused: newer firmware, which wants its login first.
      const jwt = await goldshellLogIn(device, context).catch((login: unknown) => {
        throw new Error(
          `${error instanceof Error ? error.message : String(error)}; ${login instanceof Error ? login.message : String(login)}`,
        );
      });
      return getPaths(device, PATHS, context, { authorization: `Bearer ${jwt}` });
    }
  },
  (bodies) => {
    const devs = records(record(bodies.get(DEVS))?.data);
    const status = record(bodies.get('/mcb/status')) ?? {};
    const setting = record(bodies.get('/mcb/setting')) ?? {};
    const boards = devs.map(board);
    const rates = devs.map((entry) => num(entry.hashrate));
    const total = rates.some((rate) => rate !== undefined)
      ? rates.reduce<number>((sum, rate) => sum + (rate ?? 0), 0)
      : undefined;
    const accepted = sum(devs.map((entry) => count(entry.accepted)));
    const rejected = sum(devs.map((entry) => count(entry.rejected)));
    const hardwareErrors = sum(devs.map((entry) => count(entry.hwerrors)));
    const model = str(status.model)?.replace(/^Goldshell[-\s]*/i, '');
    const facts = identifyModel(model, 'Goldshell');
    const plans = Array.isArray(setting.powerplans) ? records(setting.powerplans) : undefined;
    const plan = selectedPlan(setting, plans);
    return {
      identity: {
        make: 'Goldshell',
        firmware: 'goldshell',
        algorithm: facts.algorithm,
        ...defined({
          model: facts.row?.model ?? model,
          ...nominalOf(facts),
          firmwareVersion: str(status.firmware),
          mac: /^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$/i.test(str(setting.name) ?? '')
            ? str(setting.name)
            : undefined,
        }),
      },
      parts: {
        ...defined({
          hashrate: total === undefined ? undefined : total * 1e6,
          rawHashrate:
            total === undefined
              ? undefined
              : { value: total, unit: 'MH/s', field: 'devs data[].hashrate (summed)' },
          shares:
            accepted !== undefined && rejected !== undefined
              ? { accepted, rejected, ...defined({ hardwareErrors }) }
              : undefined,
          uptimeSeconds: count(devs[0]?.time),
        }),
        ...(plan !== undefined && {
          stateEvidence: `http:/mcb/setting select=${String(plan.select)} (power plan level ${String(plan.level)})`,
        }),
        ...(plan?.level === SLEEP_LEVEL && { state: 'sleeping' as const }),
        commands: goldshellSupport(
          plans?.map((entry) => count(entry.level)).filter((level) => level !== undefined),
        ),
        boards,
        fans: fanSpeeds(devs[0]),
        pools: records(bodies.get('/mcb/pools')).map((pool, index) => ({
          index,
          url: str(pool.url) ?? '',
          user: str(pool.user) ?? '',
          active: pool.active === true,
          // Goldshell says which pool works, not which are reachable: `legal` is a URL it accepts.
          alive: pool.active === true,
        })),
      },
    };
  },
);

/**
 * The power plan `/mcb/setting` has selected (`select`, an index of `powerplans`): a
 * miner put to sleep runs the plan of level 3 (goldshell-web.ts), and does not hash.
 */
function selectedPlan(
  setting: Record_,
  plans: readonly Record_[] | undefined,
): { select: number; level: number } | undefined {
  const select = count(setting.select);
  const level = select === undefined ? undefined : count(plans?.[select]?.level);
  return select === undefined || level === undefined ? undefined : { select, level };
}

/** The boards' total; undefined unless every board gave its figure. */
function sum(values: readonly (number | undefined)[]): number | undefined {
  const read = values.filter((value): value is number => value !== undefined);
  return read.length > 0 && read.length === values.length
    ? read.reduce((total, value) => total + value, 0)
    : undefined;
}

/** "83.0 °C / 73.8 °C" (mis-encoded as "Â°C" by some firmware): the hottest reading. */
function hottest(text: unknown): number | undefined {
  const readings = [...(str(text) ?? '').matchAll(/(-?\d+(?:\.\d+)?)\s*[^\d/]*C/g)]
    .map((match) => Number(match[1]))
    .filter((reading) => Number.isFinite(reading) && reading > 0);
  return readings.length > 0 ? Math.max(...readings) : undefined;
}

function board(entry: Record_, position: number): HashBoard {
  const rate = num(entry.hashrate);
  return {
    slot: count(entry.id) ?? position,
    ...defined({ hashrate: rate === undefined ? undefined : rate * 1e6, boardTempC: hottest(entry.temp) }),
  };
}

/** "2940 rpm / 2940 rpm / …": one figure per fan, the same on every board's entry. */
function fanSpeeds(entry: Record_ | undefined): { id: number; rpm: number }[] {
  return [...(str(entry?.fanspeed) ?? '').matchAll(/(\d+)\s*rpm/gi)].map((match, id) => ({
    id,
    rpm: Number(match[1]),
  }));
}
