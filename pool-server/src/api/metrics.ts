/**
 * What the API tells Prometheus: each request's time by route template (never the raw
 * URL: one series per registered route, whatever clients send), and the agents'
 * telemetry batches by outcome. The roles give it the process's registry.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** The label of a request that matched no route (a 404 of the default handler). */
const UNMATCHED = '(unmatched)';

export class ApiMetrics {
  readonly #requestSeconds: Histogram<'method' | 'route' | 'status'>;
  readonly #telemetryBatches: Counter<'result' | 'status'>;
  readonly #telemetryReadings: Counter;

  constructor(registry: Registry) {
    this.#requestSeconds = new Histogram({
      name: 'hashwatt_api_request_duration_seconds',
      help: 'HTTP API requests by method, route template and status, from arrival to the last byte sent',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.#telemetryBatches = new Counter({
      name: 'hashwatt_agent_telemetry_batches_total',
      help: 'Telemetry batches from farm agents: stored, duplicate (a retry of a stored one) or refused (with its HTTP status)',
      labelNames: ['result', 'status'],
      registers: [registry],
    });
    this.#telemetryReadings = new Counter({
      name: 'hashwatt_agent_telemetry_readings_total',
      help: 'Device and meter readings stored from farm agents',
      registers: [registry],
    });
  }

  /** Times every request of `app` (and of the plugins registered on it after this). */
  timeRequests(app: FastifyInstance): void {
    app.addHook('onResponse', (request, reply, done) => {
      this.#requestSeconds.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? UNMATCHED,
          status: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });
  }

  /** A batch was stored (`stored`), or was a retry of one stored before. */
  telemetryTaken(stored: boolean, readings: number): void {
    this.#telemetryBatches.inc({ result: stored ? 'stored' : 'duplicate', status: '200' });
    this.#telemetryReadings.inc(readings);
  }

  /** A batch was refused: invalid (400), too large (413), a bad key (401), over its rate (429), ... */
  telemetryRefused(status: number): void {
    this.#telemetryBatches.inc({ result: 'refused', status: String(status) });
  }
}
