/**
 * What the alert rules look at, asked of the domains through their own functions: farms
 * and their devices, fans, windows and orders (farms/), workers' shares, blocks and
 * payouts (ledger/), organisations (accounts/), TimescaleDB's failing jobs (db/). Never
 * their tables.
 */
import type { AlertThresholdValues } from '@hashwatt/schemas';
import { listOrganisations } from '../accounts/organisations.ts';
import type { Database } from '../db/pool.ts';
import { failingTimescaleJobs } from '../db/timescale-jobs.ts';
import { alertThresholdOverrides, effectiveThresholds } from '../farms/alert-thresholds.ts';
import { orderEvents, type OrderEvent } from '../farms/curtailment/order-events.ts';
import { listOrders } from '../farms/curtailment/orders.ts';
import { latestFanSpeeds } from '../farms/devices/device-fans.ts';
import { listDevices } from '../farms/devices/devices.ts';
import { localClock } from '../farms/energy/meter-energy.ts';
import { windowsForFarm } from '../farms/energy/tariffs.ts';
import { listFarms } from '../farms/farms.ts';
import { recentBlocks, recentPayments } from '../ledger/pool-stats.ts';
import { workerWork } from '../ledger/worker-production.ts';
import type { FarmRef } from './candidate.ts';
import type { DeviceFacts } from './device-rules.ts';
import type { AlertFacts, OrderFacts, WindowFacts } from './rules.ts';

const HOUR_MS = 3_600_000;
/** Blocks and payouts read a tick; more than this between two ticks is beyond any pool's pace. */
const EVENTS_PER_TICK = 100;

export interface FactsQuery {
  readonly nowMs: number;
  /** The pool-wide thresholds; a farm's own replace them for its devices. */
  readonly defaults: AlertThresholdValues;
  /** Events (orders, blocks, payouts) of [fromMs, nowMs) are news. */
  readonly eventsFromMs: number;
}

async function farmDevices(
  db: Database,
  farm: FarmRef,
  thresholds: AlertThresholdValues,
  nowMs: number,
): Promise<DeviceFacts[]> {
  const devices = await listDevices(db, farm.farmId, { nowMs, gapAlertPercent: thresholds.gapPercent });
  const users = [
    ...new Set(devices.flatMap((device) => (device.poolUser === null ? [] : [device.poolUser]))),
  ];
  const [hour, recent, fans] = await Promise.all([
    workerWork(db, users, 'minute', nowMs - HOUR_MS, nowMs),
    workerWork(db, users, 'minute', nowMs - thresholds.silentMinutes * 60_000, nowMs),
    latestFanSpeeds(db, farm.farmId, nowMs),
  ]);
  return devices.map((device) => ({
    ...farm,
    deviceId: device.id,
    device: device.device,
    state: device.state,
    lastSeenMs: Date.parse(device.lastSeen),
    chipTempC: device.chipTempC,
    fanRpms: fans.get(device.id)?.rpms ?? [],
    fanPercents: fans.get(device.id)?.percents ?? [],
    poolUser: device.poolUser,
    workerHourDifficulty: device.poolUser === null ? null : (hour.get(device.poolUser)?.difficulty ?? null),
    workerRecentDifficulty:
      device.poolUser === null ? null : (recent.get(device.poolUser)?.difficulty ?? null),
    gapPercent: device.hour.gapPercent,
  }));
}

async function violatedOrders(
  db: Database,
  ended: readonly OrderEvent[],
  farms: ReadonlyMap<string, FarmRef>,
  nowMs: number,
): Promise<OrderFacts[]> {
  const violated: OrderFacts[] = [];
  for (const event of ended) {
    const farm = farms.get(event.farmId);
    const [order] = await listOrders(db, event.farmId, nowMs, event.orderId);
    if (farm && order?.compliance?.verdict === 'violated') {
      violated.push({
        ...farm,
        ...event,
        reasons: order.compliance.reasons,
        findings: order.compliance.findings,
      });
    }
  }
  return violated;
}

export async function gatherFacts(db: Database, query: FactsQuery): Promise<AlertFacts> {
  const { nowMs } = query;
  const farms = new Map<string, FarmRef & { readonly timezone: string }>();
  for (const organisation of await listOrganisations(db)) {
    for (const farm of await listFarms(db, organisation.id)) {
      farms.set(farm.id, {
        farmId: farm.id,
        farmName: farm.name,
        organisationId: organisation.id,
        timezone: farm.timezone,
      });
    }
  }
  const farmOverrides = await alertThresholdOverrides(db);
  const devices: DeviceFacts[] = [];
  const windows: WindowFacts[] = [];
  for (const { timezone, ...farm } of farms.values()) {
    const thresholds = effectiveThresholds(query.defaults, farmOverrides.get(farm.farmId));
    devices.push(...(await farmDevices(db, farm, thresholds, nowMs)));
    const local = localClock(timezone)(nowMs);
    for (const window of await windowsForFarm(db, farm.farmId)) {
      windows.push({ ...farm, window, local });
    }
  }
  const orders = await orderEvents(db, query.eventsFromMs, nowMs);
  const ofFarm = (event: OrderEvent): OrderFacts[] => {
    const farm = farms.get(event.farmId);
    return farm ? [{ ...farm, ...event }] : [];
  };
  const isNews = (at: string): boolean => Date.parse(at) >= query.eventsFromMs;
  const [blocks, payouts, timescale] = await Promise.all([
    recentBlocks(db, EVENTS_PER_TICK),
    recentPayments(db, EVENTS_PER_TICK),
    failingTimescaleJobs(db),
  ]);
  return {
    devices,
    windows,
    ordersIssued: orders.issued.flatMap(ofFarm),
    ordersViolated: await violatedOrders(db, orders.ended, farms, nowMs),
    blocks: blocks.items
      .filter((block) => isNews(block.foundAt))
      .map(({ hash, height, reward, finder, worker }) => ({ hash, height, reward, finder, worker })),
    payouts: payouts.items
      .filter((payout) => isNews(payout.sentAt))
      .map(({ id, txid, total, recipients }) => ({ id, txid, total, recipients })),
    timescaleJobs: timescale.failing,
    farmOverrides,
  };
}
