/**
 * No Docker engine runs here, so docker/ is checked against the code: every service
 * the compose file names builds from a Dockerfile that exists, every variable it sets
 * is a setting the pool or the agent reads (and together they make a configuration
 * both accept), its ports are the ones configured and exposed, its volumes are
 * declared, and the images are pinned, non-root and health-checked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadAgentConfig } from '@hashwatt/agent';
import { configVariables, loadConfig } from '../../src/config.ts';
import { systemBinary } from '../helpers/processes.ts';

const DOCKER = path.resolve(import.meta.dirname, '../../../docker');

interface Service {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly environment?: Record<string, string>;
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly healthcheck?: unknown;
  readonly depends_on?: Record<string, { readonly condition: string }>;
}

interface Compose {
  readonly services: Record<string, Service>;
  readonly volumes: Record<string, unknown>;
}

// Compose files share settings through YAML anchors and merge keys (<<), as Compose reads them.
const composeFile = (name: string): Compose =>
  parse(readFileSync(path.join(DOCKER, name), 'utf8'), { merge: true }) as Compose;

const compose = composeFile('compose.yaml');
const { services } = compose;

/** Compose's ${NAME:-default} and ${NAME:?error} with a sample value, as an operator would set them. */
function interpolated(value: string): string {
  return value.replace(
    /\$\{(\w+)(?::[-?]([^}]*))?\}/g,
    (_whole, name: string, fallback: string | undefined) =>
      name.endsWith('PASSWORD')
        ? 'a long enough sample password'
        : name.endsWith('API_KEY')
          ? 'hwk_sample'
          : (fallback ?? 'sample'),
  );
}

const environmentOf = (service: Service): Record<string, string> =>
  Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolated(value)]),
  );

/** Every named volume mounted is declared; every service waited on reports its health. */
function expectVolumesAndHealth(file: Compose): void {
  const named = Object.values(file.services)
    .flatMap((service) => service.volumes ?? [])
    .map((volume) => volume.split(':')[0] ?? '')
    .filter((source) => !source.startsWith('.') && !source.startsWith('/'));
  expect(new Set(named)).toEqual(new Set(Object.keys(file.volumes)));
  for (const [name, service] of Object.entries(file.services)) {
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
      const image = file.services[dependency];
      const checked =
        image?.healthcheck !== undefined ||
        (image?.build !== undefined &&
          readFileSync(path.resolve(DOCKER, image.build.context, image.build.dockerfile), 'utf8').includes(
            'HEALTHCHECK',
          ));
      expect(checked, `${dependency} has a health check`).toBe(true);
    }
  }
}

/**
 * bitcoind has RPC threads for the longpoll, the calls and found blocks at once, and the
 * wallet that `pool` names in its URL, created by its health check on a fresh volume.
 */
function expectNodeForPool(file: Compose, pool: string): void {
  const node = file.services.bitcoind;
  expect(node?.command).toEqual(expect.arrayContaining(['-rpcthreads=16', '-rpcworkqueue=64']));
  const url = loadConfig(environmentOf(file.services[pool] ?? {})).node.rpcUrl ?? '';
  const wallet = /\/wallet\/([^/]+)$/.exec(url)?.[1];
  expect(wallet, url).toBeDefined();
  const check = JSON.stringify(node?.healthcheck);
  expect(check).toContain(`createwallet wallet_name=${String(wallet)} load_on_startup=true`);
  expect(check).toContain(`loadwallet ${String(wallet)}`);
}

describe('docker/compose.yaml', () => {
  it('gives the pool a node with the RPC threads and the wallet it needs', () => {
    expectNodeForPool(compose, 'pool');
  });

  it('runs TimescaleDB, bitcoind on regtest, the pool, an agent, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'agent',
      'bitcoind',
      'grafana',
      'pool',
      'prometheus',
      'timescaledb',
    ]);
    expect(services.bitcoind?.image).toMatch(/^bitcoin\/bitcoin:\d+\.\d+$/);
    expect(services.timescaledb?.image).toMatch(/^timescale\/timescaledb:\d+\.\d+\.\d+-pg15$/);
  });

  it('builds each of its own services from a Dockerfile that exists', () => {
    for (const name of ['pool', 'agent']) {
      const build = services[name]?.build;
      expect(build, name).toBeDefined();
      expect(existsSync(path.resolve(DOCKER, build?.context ?? '', build?.dockerfile ?? '')), name).toBe(
        true,
      );
    }
  });

  it("sets only the pool's own settings, which together make a configuration it accepts", () => {
    const environment = environmentOf(services.pool ?? {});
    const known = new Set(configVariables());
    expect(Object.keys(environment).filter((name) => !known.has(name))).toEqual([]);
    const config = loadConfig(environment);
    expect(config.chain).toBe('regtest');
    expect(config.node.rpcUrl).toBe('http://bitcoind:18443/wallet/hashwatt');
    expect(config.database.url).toMatch(/^postgres:\/\/hashwatt:.+@timescaledb:5432\/hashwatt$/);
    expect(config.database.timescale).toBe('on');
  });

  it("publishes Stratum, and the API only on the host's loopback, on the configured ports", () => {
    const config = loadConfig(environmentOf(services.pool ?? {}));
    expect(services.pool?.ports).toEqual([
      `${String(config.stratum.port)}:${String(config.stratum.port)}`,
      `127.0.0.1:${String(config.api.port)}:${String(config.api.port)}`,
    ]);
    const dockerfile = readFileSync(path.join(DOCKER, 'Dockerfile.pool'), 'utf8');
    expect(dockerfile).toContain(`EXPOSE ${String(config.stratum.port)} ${String(config.api.port)}`);
    expect(dockerfile).toContain(`http://127.0.0.1:${String(config.api.port)}/api/pool`);
  });

  it('gives the agent only its own variables and a configuration it accepts', () => {
    const environment = environmentOf(services.agent ?? {});
    expect(Object.keys(environment).sort()).toEqual([
      'HASHWATT_AGENT_API_KEY',
      'HASHWATT_AGENT_CONFIG',
      'HASHWATT_AGENT_SERVER_URL',
    ]);
    const mounted = services.agent?.volumes?.find((volume) =>
      volume.endsWith(`:${environment.HASHWATT_AGENT_CONFIG ?? ''}:ro`),
    );
    expect(mounted).toBeDefined();
    const file = path.resolve(DOCKER, (mounted ?? '').split(':')[0] ?? '');
    const config = loadAgentConfig({ ...environment, HASHWATT_AGENT_CONFIG: file }, undefined);
    expect(config.server.url).toBe('http://pool:8080');
    expect(config.queue.dir).toBe('/var/lib/hashwatt-agent/queue');
  });

  it('declares every named volume it mounts, and waits only on services that report their health', () => {
    expectVolumesAndHealth(compose);
  });
});

describe('docker/compose.scaled.yaml', () => {
  const scaled = composeFile('compose.scaled.yaml');
  const stratumNodes = ['stratum-1', 'stratum-2'];
  const configOf = (name: string) => loadConfig(environmentOf(scaled.services[name] ?? {}));
  const balancer = scaled.services.haproxy as Service & {
    readonly networks: Record<string, { readonly ipv4_address: string }>;
  };
  const haproxyConfig = readFileSync(path.join(DOCKER, 'haproxy.cfg'), 'utf8');

  it('runs HAProxy, two Stratum nodes, NATS JetStream, the ledger (writer and API), the database, the node and an agent', () => {
    expect(Object.keys(scaled.services).sort()).toEqual(
      [
        'agent',
        'bitcoind',
        'grafana',
        'haproxy',
        'ledger',
        'nats',
        'prometheus',
        'stratum-1',
        'stratum-2',
        'timescaledb',
      ].sort(),
    );
    expect(scaled.services.nats?.image).toMatch(/^nats:\d+\.\d+\.\d+-alpine$/);
    expect(scaled.services.haproxy?.image).toMatch(/^haproxy:\d+\.\d+\.\d+$/);
    expect((scaled.services.nats as { command?: string[] }).command).toContain('-js');
  });

  it('gives each process its roles, one bitcoind and one NATS; Stratum nodes unique ids and no database', () => {
    const known = new Set(configVariables());
    for (const name of [...stratumNodes, 'ledger']) {
      const environment = environmentOf(scaled.services[name] ?? {});
      expect(
        Object.keys(environment).filter((variable) => !known.has(variable)),
        name,
      ).toEqual([]);
      const config = configOf(name);
      expect(config.nats.url, name).toBe('nats://nats:4222');
      expect(config.node.rpcUrl, name).toBe('http://bitcoind:18443/wallet/hashwatt');
    }
    const nodes = stratumNodes.map(configOf);
    expect(nodes.map((config) => config.roles)).toEqual([['stratum'], ['stratum']]);
    expect(new Set(nodes.map((config) => config.stratum.nodeId)).size).toBe(stratumNodes.length);
    expect(nodes.map((config) => config.database.url)).toEqual([undefined, undefined]);
    const ledger = configOf('ledger');
    expect([...ledger.roles].sort()).toEqual(['api', 'writer']);
    expect(ledger.database.url).toMatch(/@timescaledb:5432\/hashwatt$/);
    expect(ledger.database.timescale).toBe('on');
    // Each node's journal (its spool while NATS is away) on a volume of its own.
    const volumes = stratumNodes.map((name) => scaled.services[name]?.volumes?.[0]?.split(':')[0]);
    expect(new Set(volumes).size).toBe(stratumNodes.length);
  });

  it('gives the ledger and the Stratum nodes a node with the RPC threads and the wallet they need', () => {
    expectNodeForPool(scaled, 'ledger');
    expectNodeForPool(scaled, 'stratum-1');
  });

  it("balances every Stratum node with PROXY headers the nodes trust, on the nodes' port", () => {
    const address = Object.values(balancer.networks)[0]?.ipv4_address ?? '';
    expect(balancer.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    for (const name of stratumNodes) {
      const config = configOf(name);
      expect(config.stratum.proxyProtocolFrom, name).toEqual([address]);
      expect(haproxyConfig).toMatch(
        new RegExp(
          `^\\s*server ${name} ${name}:${String(config.stratum.port)} send-proxy-v2 check check-send-proxy`,
          'm',
        ),
      );
    }
    const bind = /^\s*bind :(\d+)$/m.exec(haproxyConfig)?.[1];
    expect(balancer.ports).toEqual([`${String(bind)}:${String(bind)}`]);
    expect(scaled.services.ledger?.ports).toEqual([`127.0.0.1:${String(configOf('ledger').api.port)}:8080`]);
  });

  it('is a configuration HAProxy itself accepts', () => {
    const checked = spawnSync(systemBinary('haproxy'), ['-c', '-f', path.join(DOCKER, 'haproxy.cfg')], {
      encoding: 'utf8',
    });
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout + checked.stderr).toContain('Configuration file is valid');
  });

  it('declares every named volume it mounts, and waits only on services that report their health', () => {
    expectVolumesAndHealth(scaled);
  });
});

describe.each(['Dockerfile.pool', 'Dockerfile.agent'])('docker/%s', (name) => {
  const text = readFileSync(path.join(DOCKER, name), 'utf8');

  it('pins its base image, builds in stages, runs as a non-root user and checks its health', () => {
    const bases = [...text.matchAll(/^FROM (\S+)/gm)].map((match) => match[1] ?? '');
    expect(bases.length).toBeGreaterThan(1);
    for (const base of bases.filter((image) => image.includes(':'))) {
      expect(base).toMatch(/:\d+\.\d+\.\d+-[a-z]+-slim$/);
    }
    const user = /^USER (\S+)/m.exec(text)?.[1];
    expect(user).toBeDefined();
    expect(user).not.toBe('root');
    expect(text.indexOf('USER ')).toBeLessThan(text.indexOf('ENTRYPOINT'));
    expect(text).toMatch(/^HEALTHCHECK /m);
  });

  it('copies only files that exist in the repository', () => {
    const root = path.resolve(DOCKER, '..');
    const sources = [...text.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) =>
      (match[1] ?? '').split(' '),
    );
    for (const source of sources.filter((entry) => entry !== '.' && !entry.startsWith('--'))) {
      expect(existsSync(path.join(root, source)), source).toBe(true);
    }
  });
});
