import type { MinerSample } from '@hashwatt/schemas';
import { describe, expect, it } from 'vitest';
import { withCommands } from './capabilities.ts';
import { Poller } from '../poll/poller.ts';
import { DEFAULT_RPC_LIMITS } from '../protocol/rpc-error.ts';
import { DRIVERS } from './registry.ts';

function sample(
  firmware: MinerSample['identity']['firmware'],
  state: MinerSample['state'] = 'mining',
): MinerSample {
  return {
    device: '10.0.0.5:4028',
    at: '2026-11-25T12:00:00.000Z',
    identity: { make: 'Antminer', firmware },
    state,
    boards: [],
    fans: [],
    pools: [],
    messages: [],
    collection: { latencyMs: 1, sources: [], warnings: [] },
  };
}

const supported = (driver: string, firmware: MinerSample['identity']['firmware'] = 'stock') =>
  withCommands(driver, sample(firmware))
    .commands?.filter((support) => support.supported)
    .map((support) => support.action);

describe('what each driver declares it can carry out', () => {
  it('declares for every driver of the registry (Goldshell from its own reading)', () => {
    for (const name of Object.keys(DRIVERS).filter((driver) => driver !== 'goldshell')) {
      expect(withCommands(name, sample('stock')).commands, name).toBeDefined();
    }
  });

  it('tells stock Antminer from VNish, and leaves a fork it cannot vouch for unknown', () => {
    expect(supported('antminer')).toEqual(['sleep', 'resume', 'reboot', 'set-fan', 'switch-pool']);
    expect(withCommands('antminer', sample('stock')).commands?.[3]).toEqual({
      action: 'set-power-target',
      supported: false,
      reason: 'firmware',
      note: 'stock Antminer firmware has no power target; only sleep, normal or low-power modes',
    });
    expect(supported('antminer', 'vnish')).toHaveLength(6);
    expect(withCommands('antminer', sample('hiveon')).commands).toEqual([]);
  });

  it('says why: Whatsminer v2 has no fan command, Braiins port 4028 no pool switch', () => {
    const whatsminer = withCommands('whatsminer', sample('whatsminer')).commands;
    expect(whatsminer?.find((support) => support.action === 'set-fan')).toMatchObject({
      supported: false,
      reason: 'firmware',
    });
    expect(whatsminer?.filter((support) => support.supported)).toHaveLength(5);
    const braiins = withCommands('braiins-rpc', sample('braiins')).commands;
    expect(braiins?.find((support) => support.action === 'switch-pool')).toMatchObject({
      supported: false,
      reason: 'api',
      note: expect.stringMatching(/braiins-rest/) as unknown,
    });
    expect(supported('braiins-rest', 'braiins')).toHaveLength(6);
  });

  it('declares nothing for an unreachable device, and keeps what a driver read itself', () => {
    expect(withCommands('antminer', sample('stock', 'unreachable')).commands).toBeUndefined();
    const own = { ...sample('goldshell'), commands: [{ action: 'sleep' as const, supported: true }] };
    expect(withCommands('goldshell', own).commands).toEqual(own.commands);
    expect(withCommands('no-such-driver', sample('stock')).commands).toBeUndefined();
  });
});

describe('the poller', () => {
  it("sends each reading with its driver's declarations, and none for a device it could not read", async () => {
    const driver = (name: string, read: () => Promise<MinerSample>) => ({
      name,
      firmware: 'xmrig' as const,
      make: 'XMRig',
      port: 8080,
      read,
    });
    const [read, lost] = await new Poller().cycle(
      [
        {
          address: { host: '10.0.0.5', port: 8080 },
          driver: driver('xmrig', () => Promise.resolve(sample('xmrig'))),
        },
        {
          address: { host: '10.0.0.6', port: 8080 },
          driver: driver('xmrig', () => Promise.reject(new Error('connect ECONNREFUSED'))),
        },
      ],
      2,
      { now: () => new Date('2026-11-25T12:00:00Z'), limits: DEFAULT_RPC_LIMITS },
    );
    expect(read?.commands?.filter((support) => support.supported).map((support) => support.action)).toEqual([
      'sleep',
      'resume',
    ]);
    expect(lost?.state).toBe('unreachable');
    expect(lost?.commands).toBeUndefined();
  });
});
