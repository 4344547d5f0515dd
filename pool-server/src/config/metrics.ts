import Type, { type Static } from 'typebox';

/** Prometheus metrics and the probes on a listener of their own. A section of ConfigSchema (config.ts). */

export const MetricsSettings = Type.Object(
  {
    port: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 65_535,
        description:
          'Serve Prometheus metrics (/metrics) and the probes (/healthz, /readyz) on this port, apart from the API. Unset: no such listener (the probes are still on the API). 9464 is the usual choice.',
      }),
    ),
    host: Type.String({
      default: '127.0.0.1',
      minLength: 1,
      description:
        'The metrics listener binds here. Loopback by default: the metrics tell how the pool fares (miners, blocks, outages), which is for its operators only. Any other address needs metrics.tokenFile.',
    }),
    tokenFile: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'A file holding the bearer token Prometheus must send (authorization: credentials_file in its scrape job); /metrics refuses a scrape without it (401). Keep it 0600.',
      }),
    ),
  },
  { default: {} },
);

/** 127.0.0.0/8, ::1 or localhost: reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** What the schema cannot say: a listener beyond loopback must ask for the token. */
export function metricsProblems(metrics: Static<typeof MetricsSettings>): string[] {
  return metrics.port !== undefined && metrics.tokenFile === undefined && !isLoopback(metrics.host)
    ? [
        `metrics.host ${metrics.host}: metrics served beyond this machine need metrics.tokenFile (HASHWATT_METRICS_TOKEN_FILE), a bearer token Prometheus sends`,
      ]
    : [];
}
