/**
 * No Docker engine, Prometheus or Grafana runs here, so the monitoring in docker/ is
 * checked against the code: each compose file's Prometheus scrapes every process that
 * serves metrics, at its metrics.port, with the token those processes require; Grafana's
 * data source is the one the dashboard names; and every series the dashboard queries is
 * one the pool (or prom-client's process metrics) exports.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const DOCKER = path.resolve(import.meta.dirname, '../../../docker');
const SOURCE = path.resolve(import.meta.dirname, '../../src');
const TOKEN_FILE = '/run/secrets/metrics_token';

interface Service {
  readonly image?: string;
  readonly environment?: Record<string, string>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly secrets?: readonly string[];
  readonly depends_on?: Record<string, { readonly condition: string }>;
}

interface Compose {
  readonly services: Record<string, Service>;
  readonly secrets?: Record<string, { readonly environment?: string }>;
}

interface ScrapeConfig {
  readonly authorization?: { readonly type: string; readonly credentials_file: string };
  readonly static_configs: readonly { readonly targets: readonly string[] }[];
}

const readYaml = (file: string): unknown => parse(readFileSync(file, 'utf8'), { merge: true });

/** The host side of a service's read-only bind mount onto `target`, resolved from docker/. */
function mountedAt(service: Service | undefined, target: string): string {
  const volume = service?.volumes?.find((entry) => entry.split(':')[1] === target);
  expect(volume, `a mount at ${target}`).toBeDefined();
  expect(volume?.endsWith(':ro')).toBe(true);
  return path.resolve(DOCKER, (volume ?? '').split(':')[0] ?? '');
}

/** The names of the series the pool defines: each metric's name as its source spells it. */
function exportedNames(): Set<string> {
  const files = ['roles/metrics.ts', 'roles/stratum-metrics.ts', 'api/metrics.ts'];
  const names = files.flatMap((file) =>
    [...readFileSync(path.join(SOURCE, file), 'utf8').matchAll(/'(hashwatt_[a-z_]+)'/g)].map(
      (match) => match[1] ?? '',
    ),
  );
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  return new Set([...names, ...defaults.getMetricsAsArray().map((metric) => metric.name)]);
}

describe.each(['compose.yaml', 'compose.scaled.yaml'])('docker/%s monitoring', (file) => {
  const compose = readYaml(path.join(DOCKER, file)) as Compose;
  const { services } = compose;
  const exporters = Object.entries(services).filter(
    ([, service]) => service.environment?.HASHWATT_METRICS_PORT !== undefined,
  );

  it('gives every process that serves metrics the token, and publishes no metrics port', () => {
    expect(exporters.length).toBeGreaterThan(0);
    expect(compose.secrets?.metrics_token?.environment).toBe('METRICS_TOKEN');
    for (const [name, service] of exporters) {
      // Its metrics settings alone (the rest is checked in docker-compose.test.ts): a configuration the pool accepts.
      const config = loadConfig(
        Object.fromEntries(
          Object.entries(service.environment ?? {}).filter(([variable]) =>
            variable.startsWith('HASHWATT_METRICS_'),
          ),
        ),
      );
      expect(config.metrics.tokenFile, name).toBe(TOKEN_FILE);
      expect(service.secrets, name).toContain('metrics_token');
      expect(
        service.ports?.some((port) => port.endsWith(`:${String(config.metrics.port)}`)) ?? false,
        name,
      ).toBe(false);
    }
  });

  it('has Prometheus scrape each of them at its metrics port, with the token', () => {
    const prometheus = services.prometheus;
    expect(prometheus?.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(prometheus?.secrets).toContain('metrics_token');
    expect(prometheus?.ports).toEqual(['127.0.0.1:9090:9090']);
    const settings = readYaml(mountedAt(prometheus, '/etc/prometheus/prometheus.yml')) as {
      scrape_configs: readonly ScrapeConfig[];
    };
    const jobs = settings.scrape_configs;
    for (const job of jobs) {
      expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: TOKEN_FILE });
    }
    const targets = jobs.flatMap((job) => job.static_configs.flatMap((group) => group.targets));
    expect(targets.sort()).toEqual(
      exporters
        .map(([name, service]) => `${name}:${String(service.environment?.HASHWATT_METRICS_PORT)}`)
        .sort(),
    );
  });

  it("provisions Grafana with Prometheus and the dashboard, whose every query names the pool's series", () => {
    const grafana = services.grafana;
    expect(grafana?.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(grafana?.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(grafana?.depends_on?.prometheus?.condition).toBe('service_healthy');
    const provisioning = mountedAt(grafana, '/etc/grafana/provisioning');
    const { datasources } = readYaml(path.join(provisioning, 'datasources/prometheus.yaml')) as {
      datasources: readonly { uid: string; url: string }[];
    };
    expect(datasources.map((source) => source.url)).toEqual(['http://prometheus:9090']);
    const { providers } = readYaml(path.join(provisioning, 'dashboards/hashwatt.yaml')) as {
      providers: readonly { options: { path: string } }[];
    };
    const dashboards = mountedAt(grafana, providers[0]?.options.path ?? '');
    const dashboard = JSON.parse(readFileSync(path.join(dashboards, 'hashwatt.json'), 'utf8')) as {
      panels: readonly {
        id: number;
        type: string;
        datasource?: { uid: string };
        targets?: readonly { expr: string }[];
      }[];
    };
    const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    expect(new Set(panels.map((panel) => panel.datasource?.uid))).toEqual(new Set([datasources[0]?.uid]));
    const exported = exportedNames();
    const queried = panels.flatMap((panel) =>
      (panel.targets ?? []).flatMap((target) => [
        ...target.expr.matchAll(/\b((?:hashwatt|nodejs|process)_[a-z0-9_]+)/g),
      ]),
    );
    expect(queried.length).toBeGreaterThan(20);
    const unknown = queried
      .map((match) => (match[1] ?? '').replace(/_(bucket|count|sum)$/, ''))
      .filter((name) => !exported.has(name));
    expect(unknown).toEqual([]);
  });
});
