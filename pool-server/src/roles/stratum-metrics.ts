/**
 * The Stratum role's series, folded at each scrape from the counters its nodes keep
 * (stratum-vitals.ts), one `node` label per Stratum node.
 */
import { Counter, Gauge, type Metric, type Registry } from 'prom-client';
import {
  DIFFICULTY_BUCKETS,
  REPLY_BUCKETS_MS,
  type BucketCounts,
  type StratumCounters,
} from './stratum-vitals.ts';

/** One Stratum node's counters, as the node that keeps them sent them. */
export interface StratumReading {
  readonly nodeId: number;
  readonly counters: StratumCounters;
}

/**
 * A histogram whose buckets are counted where its observations happen (the Stratum
 * thread) and read at each scrape: prom-client's own Histogram counts only what it
 * observes itself, one call per observation.
 */
function foldedHistogram(
  registry: Registry,
  name: string,
  help: string,
  bounds: readonly number[],
  /** The unit of the exported values per unit of the counted ones (1e-3: ms counted, seconds exported). */
  scale: number,
  read: () => readonly { readonly nodeId: number; readonly buckets: BucketCounts }[],
): void {
  const values = (): { metricName: string; labels: Record<string, string>; value: number }[] =>
    read().flatMap(({ nodeId, buckets }) => {
      const node = String(nodeId);
      let below = 0;
      return [
        ...bounds.map((bound, index) => {
          below += buckets.counts[index] ?? 0;
          return { metricName: `${name}_bucket`, labels: { node, le: String(bound * scale) }, value: below };
        }),
        { metricName: `${name}_bucket`, labels: { node, le: '+Inf' }, value: buckets.count },
        { metricName: `${name}_sum`, labels: { node }, value: buckets.sum * scale },
        { metricName: `${name}_count`, labels: { node }, value: buckets.count },
      ];
    });
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: () => Promise.resolve({ name, help, type: 'histogram', aggregator: 'sum', values: values() }),
    reset: () => undefined,
  };
  // The registry takes any metric with a name, help, type and get(); its types list only prom-client's classes.
  registry.registerMetric(metric as unknown as Metric);
}

/** Defines the Stratum series on `registry`, read from `readings` (this scrape's) when collected. */
export function defineStratumMetrics(registry: Registry, readings: () => readonly StratumReading[]): void {
  /** A gauge with a `node` label per Stratum node, set from its counters at each scrape; left out where `value` is undefined. */
  function gaugePerNode(
    name: string,
    help: string,
    value: (counters: StratumCounters, nowMs: number) => number | undefined,
  ): void {
    new Gauge({
      name,
      help,
      labelNames: ['node'],
      registers: [registry],
      collect() {
        this.reset();
        const nowMs = Date.now();
        for (const { nodeId, counters } of readings()) {
          const current = value(counters, nowMs);
          if (current !== undefined) {
            this.set({ node: String(nodeId) }, current);
          }
        }
      },
    });
  }

  /** A counter with a `node` label per Stratum node, as its node counted it; left out where `value` is undefined. */
  function counterPerNode(
    name: string,
    help: string,
    value: (counters: StratumCounters) => number | undefined,
  ): void {
    new Counter({
      name,
      help,
      labelNames: ['node'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { nodeId, counters } of readings()) {
          const counted = value(counters);
          if (counted !== undefined) {
            this.inc({ node: String(nodeId) }, counted);
          }
        }
      },
    });
  }

  /** A counter with `node` and one more label, from a record of counts per value of that label. */
  function perNodeAndLabel(
    name: string,
    help: string,
    label: string,
    counts: (counters: StratumCounters) => Readonly<Record<string, number | undefined>>,
  ): void {
    new Counter({
      name,
      help,
      labelNames: ['node', label],
      registers: [registry],
      collect() {
        this.reset();
        for (const { nodeId, counters } of readings()) {
          for (const [value, count] of Object.entries(counts(counters))) {
            this.inc({ node: String(nodeId), [label]: value }, count ?? 0);
          }
        }
      },
    });
  }

  const ageSeconds = (atMs: number | undefined, nowMs: number): number | undefined =>
    atMs === undefined ? undefined : (nowMs - atMs) / 1000;
  const counters: readonly [string, string, (counters: StratumCounters) => number | undefined][] = [
    [
      'hashwatt_stratum_shares_accepted_total',
      'Shares accepted and acknowledged to miners (each journalled first)',
      (c) => c.sharesAccepted,
    ],
    [
      'hashwatt_stratum_accepted_difficulty_total',
      "Accepted shares' difficulty added up: its rate × 2^32 is the pool's hashrate in H/s",
      (c) => c.acceptedDifficulty,
    ],
    ['hashwatt_blocks_found_total', 'Shares that met the network target', (c) => c.blocksFound],
    [
      'hashwatt_blocks_submitted_total',
      'Found blocks whose first submitblock reached the node',
      (c) => c.blocksSubmitted,
    ],
    [
      'hashwatt_ledger_shares_stored_total',
      'Shares stored from this node (acknowledged minus stored: the ledger lag), earlier runs’ journalled ones included',
      (c) => c.sharesStored,
    ],
    [
      'hashwatt_stratum_thread_cpu_seconds_total',
      'CPU time of the thread that runs Stratum: one thread, so near 1 s a second it is saturated whatever the other cores do (more stratum.processes spread it)',
      (c) => c.threadCpuSeconds,
    ],
  ];
  const gauges: readonly [
    string,
    string,
    (counters: StratumCounters, nowMs: number) => number | undefined,
  ][] = [
    ['hashwatt_stratum_connections', "Miners' Stratum connections open now", (c) => c.connections],
    [
      'hashwatt_stratum_template_age_seconds',
      'Since the last block template came from the node',
      (c, nowMs) => ageSeconds(c.templateAtMs, nowMs),
    ],
    [
      'hashwatt_stratum_job_age_seconds',
      'Since miners were last sent a new job',
      (c, nowMs) => ageSeconds(c.jobAtMs, nowMs),
    ],
    [
      'hashwatt_ledger_batches_waiting',
      'Sealed share batches not yet stored (the database or NATS is behind)',
      (c) => c.batchesWaiting,
    ],
  ];
  for (const [name, help, value] of counters) {
    counterPerNode(name, help, value);
  }
  for (const [name, help, value] of gauges) {
    gaugePerNode(name, help, value);
  }
  perNodeAndLabel(
    'hashwatt_stratum_shares_rejected_total',
    'Submits refused, by reason (stale, duplicate, low-diff, unknown-job, unauthorized, ...)',
    'reason',
    (c) => c.sharesRejected,
  );
  perNodeAndLabel(
    'hashwatt_blocks_settled_total',
    'Found blocks settled, by outcome: accepted, rejected, stale or unknown',
    'status',
    (c) => c.blockOutcomes,
  );
  foldedHistogram(
    registry,
    'hashwatt_stratum_reply_duration_seconds',
    "Each answered share's wait from its handling to the journal commit that releases its reply",
    REPLY_BUCKETS_MS,
    1e-3,
    () => readings().map(({ nodeId, counters: kept }) => ({ nodeId, buckets: kept.replyMs })),
  );
  foldedHistogram(
    registry,
    'hashwatt_stratum_share_difficulty',
    'Accepted shares by the difficulty they were credited at (vardiff at work)',
    DIFFICULTY_BUCKETS,
    1,
    () => readings().map(({ nodeId, counters: kept }) => ({ nodeId, buckets: kept.shareDifficulty })),
  );
}
