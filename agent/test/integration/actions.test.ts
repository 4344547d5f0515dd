// Starts emulated miners on real ports (cgminer API, HTTP) and checks that each
// driver's commands reach the device as its firmware expects them.
import { afterEach, describe, expect, it } from 'vitest';
import { axeos } from '../../src/drivers/axeos.ts';
import { braiinsRpc } from '../../src/drivers/braiins.ts';
import { xmrig } from '../../src/drivers/gpu/xmrig.ts';
import { luxos } from '../../src/drivers/luxos.ts';
import { startCgminerEmulator, type CgminerRequest } from '../../src/emulators/cgminer-emulator.ts';
import { startHttpEmulator } from '../../src/emulators/http-emulator.ts';
import { context } from '../emulate.ts';
import { fixture } from '../fixtures.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A cgminer-style reply with LuxOS's envelope (../shared/domain/miner-apis.md B5). */
function luxReply(request: CgminerRequest): string | undefined {
  const status = (message: string): unknown[] => [
    { STATUS: 'S', When: 0, Code: 300, Msg: message, Description: 'LUXminer 2025.4.8.220305-57b389c7' },
  ];
  switch (request.command) {
    case 'logon':
      return JSON.stringify({ SESSION: [{ SessionID: 'kZ4nq2' }], STATUS: status('Session created'), id: 1 });
    case 'curtail':
      return JSON.stringify({ STATUS: status(`Curtail ${request.parameter?.split(',')[1] ?? ''}`), id: 1 });
    case 'profiles':
      return fixture('luxor__luxos_rpc4028__profiles').raw;
    case 'pools':
      return fixture('luxor__luxos_rpc4028__pools').raw;
    case 'rebootdevice':
    case 'logoff':
    case 'profileset':
    case 'addpool':
    case 'switchpool':
    case 'fanset':
      return JSON.stringify({ STATUS: status(request.command), id: 1 });
    default:
      return undefined;
  }
}

describe('commands as each firmware takes them', () => {
  it('LuxOS: logs on, curtails with the session id first, logs off', async () => {
    const emulator = await startCgminerEmulator(luxReply);
    closers.push(() => emulator.close());
    expect(await luxos.act?.(emulator, { action: 'sleep', params: {} }, context)).toEqual({
      status: 'done',
      message: 'Curtail sleep',
    });
    expect(emulator.requests.map((request) => [request.command, request.parameter])).toEqual([
      ['logon', undefined],
      ['curtail', 'kZ4nq2,sleep'],
      ['logoff', 'kZ4nq2'],
    ]);
  });

  it('LuxOS: a power target is the largest profile under it; a pool switch adds the pool, then switches', async () => {
    const emulator = await startCgminerEmulator(luxReply);
    closers.push(() => emulator.close());
    expect(
      await luxos.act?.(emulator, { action: 'set-power-target', params: { powerTargetW: 1200 } }, context),
    ).toEqual({ status: 'done', message: 'profile 290MHz (1188 W): profileset' });
    expect(emulator.requests.map((request) => [request.command, request.parameter])).toEqual([
      ['profiles', undefined],
      ['logon', undefined],
      ['profileset', 'kZ4nq2,290MHz'],
      ['logoff', 'kZ4nq2'],
    ]);
    expect(
      await luxos.act?.(emulator, { action: 'set-power-target', params: { powerTargetW: 500 } }, context),
    ).toEqual({
      status: 'failed',
      message: 'no LuxOS profile draws 500 W or less: the lowest, 190MHz, draws 784 W',
    });
    // The capture's pools list the pool at id 1, as if just added.
    const pools = fixture('luxor__luxos_rpc4028__pools').response as {
      POOLS: { URL: string; User: string }[];
    };
    const second = pools.POOLS[1];
    const switched = await luxos.act?.(
      emulator,
      { action: 'switch-pool', params: { poolUrl: second?.URL ?? '', poolUser: second?.User ?? '' } },
      context,
    );
    expect(switched).toEqual({ status: 'done', message: 'switchpool' });
    expect(emulator.requests.slice(-4).map((request) => [request.command, request.parameter])).toEqual([
      ['addpool', `kZ4nq2,${second?.URL ?? ''},${second?.User ?? ''},x`],
      ['pools', undefined],
      ['switchpool', 'kZ4nq2,1'],
      ['logoff', 'kZ4nq2'],
    ]);
  });

  it('LuxOS: fans to a fixed % or back to its own control with fanset; a manual mode without a % is refused', async () => {
    const emulator = await startCgminerEmulator(luxReply);
    closers.push(() => emulator.close());
    const fans = (params: Record<string, unknown>) =>
      luxos.act?.(emulator, { action: 'set-fan', params }, context);
    expect(await fans({ fanMode: 'manual', fanPercent: 70 })).toEqual({ status: 'done', message: 'fanset' });
    expect(await fans({ fanMode: 'auto' })).toEqual({ status: 'done', message: 'fanset' });
    expect(await fans({ fanMode: 'manual' })).toEqual({
      status: 'failed',
      message: 'set-fan needs fanMode, and fanPercent when manual',
    });
    expect(
      emulator.requests.filter((request) => request.command === 'fanset').map((request) => request.parameter),
    ).toEqual(['kZ4nq2,speed=70', 'kZ4nq2,speed=-1']);
  });

  it('Braiins OS on 4028: pause and resume; a refused command says why', async () => {
    const emulator = await startCgminerEmulator((request) =>
      request.command === 'pause'
        ? JSON.stringify({
            STATUS: [{ STATUS: 'S', Code: 1, Msg: 'Pausing', Description: 'BOSminer' }],
            id: 1,
          })
        : undefined,
    );
    closers.push(() => emulator.close());
    expect(await braiinsRpc.act?.(emulator, { action: 'sleep', params: {} }, context)).toEqual({
      status: 'done',
      message: 'Pausing',
    });
    expect(await braiinsRpc.act?.(emulator, { action: 'resume', params: {} }, context)).toMatchObject({
      status: 'failed',
      message: expect.stringContaining('Invalid command resume') as unknown,
    });
  });

  it('AxeOS and XMRig: their HTTP endpoints, and a miner that is gone', async () => {
    const web = await startHttpEmulator(() => ({ body: '' }));
    closers.push(() => web.close());
    expect(await axeos.act?.(web, { action: 'reboot', params: {} }, context)).toEqual({
      status: 'done',
      message: 'POST /api/system/restart: HTTP 200',
    });
    expect(await xmrig.act?.(web, { action: 'sleep', params: {} }, context)).toMatchObject({
      status: 'done',
    });
    expect(web.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ['POST', '/api/system/restart', ''],
      ['POST', '/json_rpc', '{"method":"pause","id":1,"jsonrpc":"2.0"}'],
    ]);
    expect(
      await axeos.act?.({ host: '127.0.0.1', port: 2 }, { action: 'sleep', params: {} }, context),
    ).toEqual({
      status: 'failed',
      message: 'POST /api/system/pause: ECONNREFUSED',
    });
  });
});
