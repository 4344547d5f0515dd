/**
 * The alert rules: facts in, alerts out. Pure: no database, no clock (`nowMs` is given),
 * so every rule is tested case by case (rules.test.ts). Whether an alert is new, still
 * open or cleared is the store's business (planAlerts below says which).
 */
import type {
  AlertRule,
  AlertThresholdOverrides,
  AlertThresholdValues,
  ComplianceFinding,
  RestrictedWindow,
} from '@hashwatt/schemas';
import type { FailingTimescaleJob } from '../db/timescale-jobs.ts';
import { effectiveThresholds } from '../farms/alert-thresholds.ts';
import type { LocalTime } from '../farms/energy/meter-energy.ts';
import { farmAlert, type AlertCandidate, type FarmRef } from './candidate.ts';
import { deviceAlerts, type DeviceFacts } from './device-rules.ts';

export interface WindowFacts extends FarmRef {
  readonly window: RestrictedWindow;
  /** The farm's local time now. */
  readonly local: LocalTime;
}

export interface OrderFacts extends FarmRef {
  readonly orderId: string;
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly reductionKw: number;
  /** For a judged order: why it was found violated, in English and as codes with figures. */
  readonly reasons?: readonly string[];
  readonly findings?: readonly ComplianceFinding[];
}

export interface BlockFacts {
  readonly hash: string;
  readonly height: number;
  readonly reward: number;
  readonly finder: string;
  readonly worker: string;
}

export interface PayoutFacts {
  readonly id: string;
  readonly txid: string;
  readonly total: number;
  readonly recipients: number;
}

/** What one evaluation looked at. Events (orders, blocks, payouts) are those new since the last. */
export interface AlertFacts {
  readonly devices: readonly DeviceFacts[];
  readonly windows: readonly WindowFacts[];
  readonly ordersIssued: readonly OrderFacts[];
  readonly ordersViolated: readonly OrderFacts[];
  readonly blocks: readonly BlockFacts[];
  readonly payouts: readonly PayoutFacts[];
  /** TimescaleDB's background jobs whose last run failed; none without TimescaleDB. */
  readonly timescaleJobs: readonly FailingTimescaleJob[];
  /** The thresholds farms set for themselves, by farm id; a farm not here keeps the defaults. */
  readonly farmOverrides: ReadonlyMap<string, AlertThresholdOverrides>;
}

/** The pool-wide defaults (minFanRpm or maxFanRpm 0: that end's rule is off), and the journals' lag for admins. */
export interface AlertThresholds extends AlertThresholdValues {
  readonly ledgerLagMinutes: number;
}

function minutesOfClock(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/** The local date `days` after a YYYY-MM-DD date. */
function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A restricted window starting within the lead time: minutes to its next start from the
 * farm's local time, and the local date it starts on, which must lie in its validity.
 */
export function windowStart(
  window: Pick<RestrictedWindow, 'from' | 'validFrom' | 'validTo'>,
  local: LocalTime,
  leadMinutes: number,
): { readonly minutes: number; readonly date: string } | null {
  const minutes = (minutesOfClock(window.from) - local.minute + 1_440) % 1_440;
  if (minutes === 0 || minutes > leadMinutes) {
    return null;
  }
  const date = local.minute + minutes >= 1_440 ? addDays(local.date, 1) : local.date;
  if (date < window.validFrom || (window.validTo !== null && date > window.validTo)) {
    return null;
  }
  return { minutes, date };
}

function windowAlert(facts: WindowFacts, leadMinutes: number): AlertCandidate | null {
  const start = windowStart(facts.window, facts.local, leadMinutes);
  if (start === null) {
    return null;
  }
  const { window } = facts;
  return farmAlert(
    facts,
    'window-starting',
    `window:${window.id}@${start.date}`,
    true,
    `restricted window (${window.class.replace('_', ' ')}) ${window.from}–${window.to} local time starts in ${String(start.minutes)} minutes`,
    { windowId: window.id, class: window.class, from: window.from, to: window.to, date: start.date },
  );
}

function orderFacts(order: OrderFacts): Record<string, unknown> {
  return {
    orderId: order.orderId,
    startsAt: new Date(order.startsAtMs).toISOString(),
    endsAt: new Date(order.endsAtMs).toISOString(),
    reductionKw: order.reductionKw,
  };
}

function btc(sats: number): string {
  return (sats / 1e8).toFixed(8);
}

/** An event of the whole pool: everyone subscribed to its rule hears of it. */
function poolEvent(
  rule: AlertRule,
  subject: string,
  summary: string,
  facts: Record<string, unknown>,
): AlertCandidate {
  return { rule, subject, once: true, audience: 'pool', organisationId: null, farmId: null, summary, facts };
}

/** A failing job lasts until a run of it succeeds; its error is for admins, who run the database. */
function timescaleJobAlert(job: FailingTimescaleJob): AlertCandidate {
  return {
    rule: 'timescale-job-failing',
    subject: `timescale-job:${String(job.jobId)}`,
    once: false,
    audience: 'admin',
    organisationId: null,
    farmId: null,
    summary: `TimescaleDB job ${job.name}${job.hypertable === null ? '' : ` on ${job.hypertable}`} is failing (${String(job.failures)} failures${job.lastError === null ? '' : `: ${job.lastError.message.slice(0, 200)}`})`,
    facts: {
      jobId: job.jobId,
      name: job.name,
      procedure: job.procedure,
      hypertable: job.hypertable,
      failures: job.failures,
      lastSuccessAt: job.lastSuccessAt?.toISOString() ?? null,
      lastError: job.lastError?.message ?? null,
    },
  };
}

/** Every alert the facts call for, lasting and events alike. */
export function evaluateRules(
  facts: AlertFacts,
  thresholds: AlertThresholds,
  nowMs: number,
): AlertCandidate[] {
  const ofFarm = (farm: FarmRef): AlertThresholdValues =>
    effectiveThresholds(thresholds, facts.farmOverrides.get(farm.farmId));
  return [
    ...facts.devices.flatMap((device) => deviceAlerts(device, ofFarm(device), nowMs)),
    ...facts.windows
      .map((window) => windowAlert(window, ofFarm(window).windowLeadMinutes))
      .filter((alert) => alert !== null),
    ...facts.ordersIssued.map((order) =>
      farmAlert(
        order,
        'curtailment-issued',
        `order:${order.orderId}`,
        true,
        `curtailment order ${order.orderId}: cut ${String(order.reductionKw)} kW from ${new Date(order.startsAtMs).toISOString()} to ${new Date(order.endsAtMs).toISOString()}`,
        orderFacts(order),
      ),
    ),
    ...facts.ordersViolated.map((order) =>
      farmAlert(
        order,
        'curtailment-violated',
        `order:${order.orderId}`,
        true,
        `curtailment order ${order.orderId} was violated${order.reasons?.length ? `: ${order.reasons.join('; ')}` : ''}`,
        { ...orderFacts(order), reasons: order.reasons ?? [], findings: order.findings ?? [] },
      ),
    ),
    ...facts.blocks.map((block) =>
      poolEvent(
        'block-found',
        `block:${block.hash}`,
        `block ${String(block.height)} found by ${block.finder}.${block.worker} (${btc(block.reward)} BTC)`,
        { ...block },
      ),
    ),
    ...facts.payouts.map((payout) =>
      poolEvent(
        'payout-sent',
        `payout:${payout.id}`,
        `payout of ${btc(payout.total)} BTC to ${String(payout.recipients)} miners sent in ${payout.txid}`,
        { ...payout },
      ),
    ),
    ...facts.timescaleJobs.map(timescaleJobAlert),
  ];
}

export interface OpenAlert {
  readonly id: string;
  readonly rule: AlertRule;
  readonly subject: string;
}

/**
 * Which lasting alerts to open (new conditions) and which open ones to resolve (their
 * condition gone); events are opened as they come, deduplicated by the store.
 */
export function planAlerts(
  open: readonly OpenAlert[],
  candidates: readonly AlertCandidate[],
): { readonly toOpen: AlertCandidate[]; readonly toResolve: OpenAlert[] } {
  const key = (alert: { readonly rule: string; readonly subject: string }): string =>
    `${alert.rule}\u0000${alert.subject}`;
  const openKeys = new Set(open.map(key));
  const current = new Set(candidates.filter((candidate) => !candidate.once).map(key));
  return {
    toOpen: candidates.filter((candidate) => candidate.once || !openKeys.has(key(candidate))),
    toResolve: open.filter((alert) => !current.has(key(alert))),
  };
}
