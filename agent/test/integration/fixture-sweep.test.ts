// Every captured reply of a firmware the agent reads, served by emulators on real
// sockets (cgminer API or HTTP), read by that firmware's driver: whatever the capture
// holds, broken JSON and all, the sample must be one the server's schema accepts.
import { afterEach, describe, expect, it } from 'vitest';
import Value from 'typebox/value';
import { MinerSample } from '@hashwatt/schemas';
import type { MinerDriver } from '../../src/drivers/driver.ts';
import { DRIVERS } from '../../src/drivers/registry.ts';
import { startCgminerEmulator } from '../../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { context } from '../emulate.ts';
import { fixture, fixtureNames } from '../fixtures.ts';

/** family -> the driver that reads it, and how its captures are reached. */
const FAMILIES: Readonly<
  Record<string, { readonly driver: string; readonly http?: Readonly<Record<string, string>> }>
> = {
  antminer: { driver: 'antminer' },
  mskminer: { driver: 'antminer' },
  strongu: { driver: 'cgminer' },
  auradine: { driver: 'auradine' },
  avalon: { driver: 'avalon' },
  braiins: { driver: 'braiins-rpc' },
  luxor: { driver: 'luxos' },
  whatsminer: { driver: 'whatsminer' },
  teamredminer: { driver: 'teamredminer' },
  bitaxe: { driver: 'axeos', http: { system_info: '/api/system/info' } },
  trex: { driver: 'trex', http: { summary: '/summary' } },
  lolminer: { driver: 'lolminer', http: { summary: '/summary' } },
  gminer: { driver: 'gminer', http: { stat: '/stat' } },
  nbminer: { driver: 'nbminer', http: { api_v1_status: '/api/v1/status' } },
  xmrig: { driver: 'xmrig', http: { '2_summary': '/2/summary', '2_backends': '/2/backends' } },
};

interface Capture {
  readonly name: string;
  readonly command: string;
}

/** "antminer__stock_cgminer1.0.0_s19pro_2020__rpc4028_pools" -> variant and command "pools". */
function parse(name: string): { family: string; variant: string; command: string } | undefined {
  const parts = name.split('__').filter((part) => !/^(invalid_json|trailing_garbage)/.test(part));
  const family = parts[0] ?? '';
  if (
    parts.length < 3 ||
    !(family in FAMILIES) ||
    /web|graphql|rest_api|tcp4433|with_errors|api1\.3|http_1_/.test(name)
  ) {
    return undefined;
  }
  // family__variant__command, then perhaps a note on what the capture shows ("__12gpu").
  const command = (parts[2] ?? '').replace(/^(rpc4028_|rpc_|http_|telnet_)+/, '');
  return { family, variant: `${family}__${parts[1] ?? ''}`.replace(/_?rpc4028$/, ''), command };
}

const variants = new Map<string, { family: string; captures: Capture[] }>();
for (const name of fixtureNames()) {
  const parsed = parse(name);
  if (parsed) {
    const entry = variants.get(parsed.variant) ?? { family: parsed.family, captures: [] };
    entry.captures.push({ name, command: parsed.command });
    variants.set(parsed.variant, entry);
  }
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

describe('every captured reply, read by its driver', () => {
  it('covers the captures of every firmware family the agent reads', () => {
    expect(new Set([...variants.values()].map((variant) => variant.family))).toEqual(
      new Set(Object.keys(FAMILIES)),
    );
    expect(
      [...variants.values()].reduce((sum, variant) => sum + variant.captures.length, 0),
    ).toBeGreaterThanOrEqual(90);
  });

  it.each([...variants.entries()])(
    '%s gives a sample the server accepts',
    async (_variant, { family, captures }) => {
      const spec = FAMILIES[family];
      const driver: MinerDriver | undefined = spec ? DRIVERS[spec.driver] : undefined;
      if (!spec || !driver) {
        throw new Error(`no driver for ${family}`);
      }
      const byCommand = new Map(captures.map((capture) => [capture.command, fixture(capture.name).raw]));
      let address: { host: string; port: number };
      if (spec.http) {
        const paths = Object.entries(spec.http);
        const emulator = await startHttpEmulator((request) => {
          const command = paths.find(([, path]) => path === request.url)?.[0];
          const body = command === undefined ? undefined : byCommand.get(command);
          return body === undefined ? undefined : { body };
        });
        closers.push(() => emulator.close());
        address = emulator;
      } else {
        const emulator = await startCgminerEmulator((request) => byCommand.get(request.command));
        closers.push(() => emulator.close());
        address = emulator;
      }
      const sample = await driver.read(address, context);
      const problems = [...Value.Errors(MinerSample, sample)].map(
        (error) => `${error.instancePath} ${error.message}`,
      );
      expect(problems).toEqual([]);
      expect(sample.collection.sources.length).toBeGreaterThan(0);
      expect(['mining', 'sleeping', 'error']).toContain(sample.state);
    },
  );
});
