import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConnectInfo } from '@hashwatt/schemas';
import { Value } from 'typebox/value';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { noiseKeyFiles, openNoiseIdentity } from '../stratum/v2/noise-keys.ts';
import { connectFacts } from './connect-info.ts';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) {
    rmSync(folder, { recursive: true, force: true });
  }
});

const quiet = { warn: () => undefined, info: () => undefined };

function configWith(settings: Record<string, string>) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hashwatt-connect-'));
  folders.push(dataDir);
  return loadConfig({ HASHWATT_DATA_DIR: dataDir, ...settings });
}

describe("the connect facts' Stratum V2", () => {
  it('is null when the pool does not serve V2', () => {
    expect(connectFacts(configWith({}))().sv2).toBeNull();
  });

  it('has the configured authority key at once', () => {
    const { authorityPublicKey } = openNoiseIdentity(noiseKeyFiles(configWith({})), {
      pinnedAuthority: undefined,
      certificateDays: 30,
      nowSeconds: Math.floor(Date.now() / 1000),
      log: quiet,
    });
    const config = configWith({
      HASHWATT_STRATUM_V2_PORT: '3336',
      HASHWATT_SV2_NOISE_AUTHORITY_PUBLIC_KEY: authorityPublicKey,
    });
    expect(connectFacts(config)().sv2).toEqual({ port: 3336, authorityPublicKey, jdsPort: null });
  });

  it("finds the certificate's authority once the Stratum role has made it, looking at most every 10 s", () => {
    const config = configWith({ HASHWATT_STRATUM_V2_PORT: '3336' });
    const clock = { ms: 1_000_000 };
    const facts = connectFacts(config, () => clock.ms);
    expect(facts().sv2).toEqual({ port: 3336, authorityPublicKey: null, jdsPort: null });
    // The Stratum role's first start with V2 makes the keys and the certificate in dataDir.
    const { authorityPublicKey } = openNoiseIdentity(noiseKeyFiles(config), {
      pinnedAuthority: undefined,
      certificateDays: 30,
      nowSeconds: Math.floor(Date.now() / 1000),
      log: quiet,
    });
    clock.ms += 9_999;
    expect(facts().sv2?.authorityPublicKey).toBeNull();
    clock.ms += 1;
    expect(facts().sv2).toEqual({ port: 3336, authorityPublicKey, jdsPort: null });
  });

  it('takes a certificate file it cannot read as a key not known, not as a failure', () => {
    const config = configWith({ HASHWATT_STRATUM_V2_PORT: '3336' });
    writeFileSync(noiseKeyFiles(config).certificateFile, '{"format": "not a certificate"}');
    expect(connectFacts(config)().sv2).toEqual({ port: 3336, authorityPublicKey: null, jdsPort: null });
  });

  it("gives the Job Declaration Server's port beside V2's when stratum.jdsPort is set, as the API's schema has it", () => {
    const config = configWith({ HASHWATT_STRATUM_V2_PORT: '3336', HASHWATT_STRATUM_JDS_PORT: '3337' });
    const facts = connectFacts(config)();
    expect(facts.sv2).toEqual({ port: 3336, authorityPublicKey: null, jdsPort: 3337 });
    expect(Value.Errors(ConnectInfo, facts)).toHaveLength(0);
    // A port of 0 is any free one (tests): not one a Job Declarator Client can be told.
    const anyPort = configWith({ HASHWATT_STRATUM_V2_PORT: '3336', HASHWATT_STRATUM_JDS_PORT: '0' });
    expect(connectFacts(anyPort)().sv2?.jdsPort).toBeNull();
  });
});
