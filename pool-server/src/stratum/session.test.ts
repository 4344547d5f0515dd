import { describe, expect, it } from 'vitest';
import { mineShare } from '../../test/helpers/mining.ts';
import {
  OTHER_TESTNET_ADDRESS,
  RecordingSink,
  TESTNET_ADDRESS,
  testEnvironment,
  testTemplate,
} from '../../test/helpers/stratum-env.ts';
import { payoutScript } from '../work/address.ts';
import type { NotifyParams } from '../work/job.ts';
import { difficultyOfHash } from '../work/target.ts';
import { StratumSession } from './session.ts';
import type { StratumEnvironment } from './session-context.ts';

const WORKER = `${TESTNET_ADDRESS}.rig1`;

interface Started {
  session: StratumSession;
  sink: RecordingSink;
  env: StratumEnvironment;
  log: ReturnType<typeof testEnvironment>['log'];
  feed: ReturnType<typeof testEnvironment>['feed'];
  extranonce1: Buffer;
  notify: NotifyParams;
}

function send(session: StratumSession, message: unknown, now = 0): void {
  session.receive(JSON.stringify(message), now);
}

function start(options: Parameters<typeof testEnvironment> = []): Started {
  const { env, log, feed } = testEnvironment(...options);
  const sink = new RecordingSink();
  const session = new StratumSession(env, sink, '127.0.0.1', 0);
  send(session, { id: 1, method: 'mining.subscribe', params: ['bitaxe/BM1370/v2.4'] });
  send(session, { id: 2, method: 'mining.authorize', params: [WORKER, 'x'] });
  const messages = sink.take();
  const subscribed = messages.find((m) => m.id === 1)?.result as [unknown, string, number];
  const notify = messages.find((m) => m.method === 'mining.notify')?.params as NotifyParams | undefined;
  if (!notify) {
    throw new Error('no job was sent');
  }
  return { session, sink, env, log, feed, extranonce1: Buffer.from(subscribed[1], 'hex'), notify };
}

function submit(started: Started, params: unknown[], id = 9): Record<string, unknown> {
  send(started.session, { id, method: 'mining.submit', params }, 1000);
  const reply = started.sink.take().find((m) => m.id === id);
  if (!reply) {
    throw new Error('no reply to the submit');
  }
  return reply;
}

function share(
  started: Started,
  difficulty = 1e-6,
  options: Parameters<typeof mineShare>[4] = {},
): unknown[] {
  const mined = mineShare(started.notify, started.extranonce1, 8, difficulty, options);
  return [WORKER, started.notify[0], mined.extranonce2, mined.ntime, mined.nonce];
}

describe('Stratum session: the handshake', () => {
  it('subscribe answers [[set_difficulty, id], [notify, id]], extranonce1, extranonce2 size; then difficulty, then a job', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: ['cgminer/4.11.1'] });
    const [reply, difficulty, notify] = sink.take();
    const [subscriptions, extranonce1, size] = reply?.result as [string[][], string, number];
    expect(extranonce1).toMatch(/^01[0-9a-f]{6}$/); // node id 1
    expect(subscriptions).toEqual([
      ['mining.set_difficulty', extranonce1],
      ['mining.notify', extranonce1],
    ]);
    expect(size).toBe(8);
    expect(reply?.error).toBeNull();
    expect(difficulty).toEqual({ id: null, method: 'mining.set_difficulty', params: [1e-6] });
    expect(notify?.method).toBe('mining.notify');
    expect((notify?.params as unknown[])[8]).toBe(true);
    expect(session.state.userAgent).toBe('cgminer/4.11.1');
  });

  it('gives a resuming miner its extranonce1 back when it is free, and never one in use', () => {
    const { env } = testEnvironment();
    const first = new StratumSession(env, new RecordingSink(), '127.0.0.1', 0);
    send(first, { id: 1, method: 'mining.subscribe', params: [] });
    const held = first.state.extranonce1?.toString('hex') ?? '';
    const second = new StratumSession(env, new RecordingSink(), '127.0.0.2', 0);
    send(second, { id: 1, method: 'mining.subscribe', params: ['x', held] });
    expect(second.state.extranonce1?.toString('hex')).not.toBe(held);
    first.close();
    const third = new StratumSession(env, new RecordingSink(), '127.0.0.1', 0);
    send(third, { id: 1, method: 'mining.subscribe', params: ['x', held] });
    expect(third.state.extranonce1?.toString('hex')).toBe(held);
  });

  it('configure: version rolling against the pool mask, answering only what was asked', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, {
      id: 1,
      method: 'mining.configure',
      params: [
        ['version-rolling'],
        { 'version-rolling.mask': 'ffffffff', 'version-rolling.min-bit-count': 16 },
      ],
    });
    expect(sink.take()).toEqual([
      { id: 1, result: { 'version-rolling': true, 'version-rolling.mask': '1fffe000' }, error: null },
    ]);
    send(session, {
      id: 2,
      method: 'mining.configure',
      params: [
        ['version-rolling', 'minimum-difficulty', 'subscribe-extranonce', 'info'],
        {
          'version-rolling.mask': '00c00000',
          'minimum-difficulty.value': 2048,
        },
      ],
    });
    expect(sink.take()[0]?.result).toEqual({
      'version-rolling': true,
      'version-rolling.mask': '00c00000',
      'minimum-difficulty': true,
      'subscribe-extranonce': true,
      info: false,
    });
    expect(session.state.vardiff.difficulty).toBe(2048);
    send(session, { id: 3, method: 'mining.configure', params: ['version-rolling'] });
    expect(sink.take()[0]?.error).toEqual([20, 'mining.configure takes [[extensions], {parameters}]', null]);
  });

  it('authorize: an address of another network, or an unregistered name, is refused with the reason and penalized', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, {
      id: 1,
      method: 'mining.authorize',
      params: ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.w', 'x'],
    });
    const [reply] = sink.take();
    expect(reply?.result).toBeNull();
    expect((reply?.error as unknown[])[0]).toBe(24);
    expect(String((reply?.error as unknown[])[1])).toMatch(/not a valid test address/);
    expect(sink.penalties).toHaveLength(1);
    send(session, { id: 2, method: 'mining.authorize', params: ['mallory.rig7', ''] });
    const [unknown] = sink.take();
    expect(unknown?.error).toEqual([
      24,
      expect.stringMatching(/^mallory is not a registered account: /),
      null,
    ]);
    expect(sink.penalties).toHaveLength(2);
    send(session, { id: 3, method: 'mining.authorize', params: ['alice.rig7', ''] });
    expect(sink.take()[0]?.result).toBe(true);
    expect(session.state.workers.get('alice.rig7')).toMatchObject({
      account: 'alice',
      payoutScript: undefined,
    });
  });

  it('authorize with d=N fixes the difficulty', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: [] });
    sink.take();
    send(session, { id: 2, method: 'mining.authorize', params: [WORKER, 'x,d=0.05'] });
    expect(sink.take().slice(0, 2)).toEqual([
      { id: 2, result: true, error: null },
      { id: null, method: 'mining.set_difficulty', params: [0.05] },
    ]);
    expect(session.state.vardiff.fixed).toBe(true);
  });

  it('suggest_difficulty and suggest_target', () => {
    const started = start();
    send(started.session, { id: 5, method: 'mining.suggest_difficulty', params: [0.00015] });
    expect(started.sink.take().map((m) => m.method ?? m.id)).toEqual([
      'mining.set_difficulty',
      'mining.notify',
      5,
    ]);
    // NerdMiner repeats its suggestion: nothing changed, so nothing is sent but the answer.
    send(started.session, { id: 6, method: 'mining.suggest_difficulty', params: [0.00015] });
    expect(started.sink.take()).toEqual([{ id: 6, result: true, error: null }]);
    send(started.session, {
      id: 7,
      method: 'mining.suggest_target',
      params: ['00000000ffff0000000000000000000000000000000000000000000000000000'],
    });
    expect(started.sink.take()[0]).toEqual({ id: null, method: 'mining.set_difficulty', params: [1] });
    send(started.session, { id: 8, method: 'mining.suggest_difficulty', params: ['many'] });
    expect((started.sink.take()[0]?.error as unknown[])[0]).toBe(20);
  });
});

/** The mining.notify params among `messages`; throws when there is none. */
function notifyIn(messages: Record<string, unknown>[]): NotifyParams {
  const notify = messages.find((m) => m.method === 'mining.notify')?.params as NotifyParams | undefined;
  if (!notify) {
    throw new Error('no job was sent');
  }
  return notify;
}

// [stratum: mining.set_difficulty] cgminer and cpuminer bind a difficulty to the next job.
describe('Stratum session: a difficulty change comes with a job to bind it to', () => {
  it('d= after the first job: set_difficulty, then the same work under a new id, clean_jobs false', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: [] });
    const first = notifyIn(sink.take());
    send(session, { id: 2, method: 'mining.authorize', params: [WORKER, 'x,d=0.00001'] });
    const [reply, difficulty, notify, ...more] = sink.take();
    expect(reply).toEqual({ id: 2, result: true, error: null });
    expect(difficulty).toEqual({ id: null, method: 'mining.set_difficulty', params: [0.00001] });
    expect(notify?.method).toBe('mining.notify');
    const again = notify?.params as NotifyParams;
    expect(again[0]).toBe(`${first[0]}.1`);
    expect(again.slice(1, 8)).toEqual(first.slice(1, 8));
    expect(again[8]).toBe(false);
    expect(more).toEqual([]);
    expect(session.state.jobDifficulty.get(again[0])).toBe(0.00001);
    expect(session.state.jobDifficulty.get(first[0])).toBe(1e-6);
  });

  it('a share counts at the difficulty of the id it names; both ids share one duplicate set', () => {
    const started = start();
    send(started.session, { id: 5, method: 'mining.suggest_difficulty', params: [0.00001] });
    const alias = notifyIn(started.sink.take());
    // A share of difficulty 1e-6 to 1e-5: enough for the old id, not for the new one.
    let mined = mineShare(alias, started.extranonce1, 8, 1e-6);
    while (difficultyOfHash(mined.hash) >= 0.00001) {
      const startNonce = Number.parseInt(mined.nonce, 16) + 1;
      mined = mineShare(alias, started.extranonce1, 8, 1e-6, { startNonce });
    }
    const on = (jobId: string): unknown[] => [WORKER, jobId, mined.extranonce2, mined.ntime, mined.nonce];
    expect((submit(started, on(alias[0])).error as unknown[])[0]).toBe(23);
    expect(submit(started, on(started.notify[0])).result).toBe(true);
    expect(started.log.accepted.at(-1)?.difficulty).toBe(1e-6);

    const hard = (extranonce2: string): ((jobId: string) => unknown[]) => {
      const found = mineShare(alias, started.extranonce1, 8, 0.00001, { extranonce2 });
      return (jobId) => [WORKER, jobId, found.extranonce2, found.ntime, found.nonce];
    };
    const first = hard('00000000000000aa');
    expect(submit(started, first(alias[0])).result).toBe(true);
    expect(started.log.accepted.at(-1)?.difficulty).toBe(0.00001);
    expect((submit(started, first(started.notify[0])).error as unknown[])[0]).toBe(22);
    const second = hard('00000000000000bb');
    expect(submit(started, second(started.notify[0])).result).toBe(true);
    expect((submit(started, second(alias[0])).error as unknown[])[0]).toBe(22);
  });

  it('nothing extra before the first job: it follows anyway, at the difficulty in force', () => {
    const { env } = testEnvironment({ soloByDefault: true });
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, {
      id: 1,
      method: 'mining.configure',
      params: [['minimum-difficulty'], { 'minimum-difficulty.value': 0.000002 }],
    });
    expect(sink.take().map((m) => m.method ?? m.id)).toEqual([1]);
    send(session, { id: 2, method: 'mining.subscribe', params: [] });
    expect(sink.take().map((m) => m.method ?? m.id)).toEqual([2, 'mining.set_difficulty']);
    send(session, { id: 3, method: 'mining.suggest_difficulty', params: [0.000003] });
    expect(sink.take().map((m) => m.method ?? m.id)).toEqual(['mining.set_difficulty', 3]);
    send(session, { id: 4, method: 'mining.authorize', params: [`${OTHER_TESTNET_ADDRESS}.solo1`, 'x'] });
    const messages = sink.take();
    expect(messages.map((m) => m.method ?? m.id)).toEqual([4, 'mining.notify']);
    const notify = notifyIn(messages);
    expect(notify[0]).not.toContain('.');
    expect(notify[8]).toBe(true);
    expect(session.state.jobDifficulty.get(notify[0])).toBe(0.000003);
  });

  it('SOLO with d= after a pool job: the difficulty, then the first SOLO job, no resent pool job', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: [] });
    const poolJob = notifyIn(sink.take());
    send(session, {
      id: 2,
      method: 'mining.authorize',
      params: [`${OTHER_TESTNET_ADDRESS}.solo1`, 'd=0.001,solo'],
    });
    const messages = sink.take();
    expect(messages.map((m) => m.method ?? m.id)).toEqual([2, 'mining.set_difficulty', 'mining.notify']);
    expect(messages[1]?.params).toEqual([0.001]);
    const soloJob = notifyIn(messages);
    expect(soloJob[0]).not.toContain('.');
    expect(soloJob[2]).toBe(poolJob[2]);
    expect(soloJob[3]).not.toBe(poolJob[3]);
    expect(soloJob[8]).toBe(true);
    expect(session.state.jobDifficulty.get(soloJob[0])).toBe(0.001);
  });

  it('in a SOLO pool, d= at authorize: the difficulty, then the first job', () => {
    const { env } = testEnvironment({ soloByDefault: true });
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: [] });
    sink.take();
    send(session, {
      id: 2,
      method: 'mining.authorize',
      params: [`${OTHER_TESTNET_ADDRESS}.solo1`, 'd=0.001'],
    });
    const messages = sink.take();
    expect(messages.map((m) => m.method ?? m.id)).toEqual([2, 'mining.set_difficulty', 'mining.notify']);
    expect(notifyIn(messages)[8]).toBe(true);
  });

  it('vardiff lowering a quiet session sends the work again too', () => {
    const started = start();
    started.session.tick(200_000);
    const [difficulty, notify, ...more] = started.sink.take();
    expect(difficulty?.method).toBe('mining.set_difficulty');
    expect((difficulty?.params as number[])[0]).toBeLessThan(1e-6);
    expect((notify?.params as NotifyParams)[0]).toBe(`${started.notify[0]}.1`);
    expect((notify?.params as NotifyParams)[8]).toBe(false);
    expect(more).toEqual([]);
  });

  it('the new id goes stale with its job', () => {
    const started = start();
    send(started.session, { id: 5, method: 'mining.suggest_difficulty', params: [0.000002] });
    const alias = notifyIn(started.sink.take());
    const mined = mineShare(alias, started.extranonce1, 8, 0.000002);
    started.feed.setTemplate(testTemplate('1d00ffff', '00'.repeat(31) + '01'));
    started.session.sendCurrentJob();
    started.sink.take();
    const reply = submit(started, [WORKER, alias[0], mined.extranonce2, mined.ntime, mined.nonce]);
    expect((reply.error as unknown[])[0]).toBe(21);
  });

  it('a session changing its difficulty in a loop gets a job resent at most 8 times, until the next job', () => {
    const started = start();
    const jobsAfter = (difficulty: number): number => {
      send(started.session, { id: 5, method: 'mining.suggest_difficulty', params: [difficulty] });
      return started.sink.take().filter((m) => m.method === 'mining.notify').length;
    };
    const resent = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => jobsAfter(n * 1e-6));
    expect(resent).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    // The same job again (a second subscribe) does not start a new count.
    send(started.session, { id: 6, method: 'mining.subscribe', params: [] });
    started.sink.take();
    expect(jobsAfter(1e-6)).toBe(0);
    started.feed.setTemplate(testTemplate('1d00fffe'));
    started.session.sendCurrentJob();
    started.sink.take();
    expect(jobsAfter(2e-6)).toBe(1);
  });
});

describe('Stratum session: version rolling around signalling bits', () => {
  it('keeps miners off a bit the template signals with, and gives it back with set_version_mask', () => {
    // Bit 28 set, as js2pool's regtest templates (0x30000003) signal testdummy.
    const signalling = { ...testTemplate(), version: 0x30000000 };
    const { env, feed } = testEnvironment({}, signalling);
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, {
      id: 1,
      method: 'mining.configure',
      params: [['version-rolling'], { 'version-rolling.mask': 'ffffffff' }],
    });
    expect(sink.take()[0]?.result).toEqual({ 'version-rolling': true, 'version-rolling.mask': '0fffe000' });
    send(session, { id: 2, method: 'mining.subscribe', params: [] });
    sink.take();
    feed.setTemplate(testTemplate('1d00ffff', '00'.repeat(31) + '02'));
    session.sendCurrentJob();
    const [maskNotice, notify] = sink.take();
    expect(maskNotice).toEqual({ id: null, method: 'mining.set_version_mask', params: ['1fffe000'] });
    expect(notify?.method).toBe('mining.notify');
    expect(session.state.versionMask).toBe(0x1fffe000);
  });

  it('sends no mask to a miner that never asked for version rolling', () => {
    const { env, feed } = testEnvironment({}, { ...testTemplate(), version: 0x30000000 });
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 2, method: 'mining.subscribe', params: [] });
    sink.take();
    feed.setTemplate(testTemplate('1d00ffff', '00'.repeat(31) + '03'));
    session.sendCurrentJob();
    expect(sink.take().map((message) => message.method)).toEqual(['mining.notify']);
  });
});

describe('Stratum session: submits and their error codes', () => {
  it('accepts a valid share and reports it', () => {
    const started = start();
    expect(submit(started, share(started))).toEqual({ id: 9, result: true, error: null });
    expect(started.log.accepted).toHaveLength(1);
    expect(started.log.accepted[0]).toMatchObject({
      difficulty: 1e-6,
      identity: { account: TESTNET_ADDRESS },
    });
  });

  it('23 for low difficulty, 22 for a duplicate', () => {
    const started = start();
    expect(submit(started, share(started, 1e-6, { miss: true })).error).toEqual([
      23,
      expect.stringMatching(/below the assigned difficulty/) as unknown,
      null,
    ]);
    const good = share(started);
    expect(submit(started, good).result).toBe(true);
    expect((submit(started, good).error as unknown[])[0]).toBe(22);
  });

  it('21 for a job of the previous block, after clean_jobs', () => {
    const started = start();
    const old = share(started);
    started.feed.setTemplate(testTemplate('1d00ffff', '00'.repeat(31) + '01'));
    started.session.sendCurrentJob();
    const notify = started.sink.take()[0]?.params as unknown[];
    expect(notify[8]).toBe(true);
    expect((submit(started, old).error as unknown[])[0]).toBe(21);
  });

  it('20 for a bad ntime and for version bits outside the mask', () => {
    const started = start();
    const params = share(started);
    params[3] = 'ffffffff';
    expect(submit(started, params).error).toEqual([20, expect.stringMatching(/^ntime/) as unknown, null]);
    const rolled = [...share(started), '00002000'];
    expect(submit(started, rolled).error).toEqual([
      20,
      expect.stringMatching(/negotiated mask/) as unknown,
      null,
    ]);
  });

  it('accepts rolled version bits after mining.configure', () => {
    const started = start();
    send(started.session, { id: 3, method: 'mining.configure', params: [['version-rolling'], {}] });
    started.sink.take();
    const version = (0x20000000 | 0x00004000) >>> 0;
    const mined = mineShare(started.notify, started.extranonce1, 8, 1e-6, { version });
    const params = [WORKER, started.notify[0], mined.extranonce2, mined.ntime, mined.nonce, '00004000'];
    expect(submit(started, params).result).toBe(true);
    expect(started.log.accepted[0]?.share.version).toBe(version);
  });

  it('24 for a worker this connection did not authorize, 25 before subscribe', () => {
    const started = start();
    const params = share(started);
    params[0] = `${OTHER_TESTNET_ADDRESS}.other`;
    expect((submit(started, params).error as unknown[])[0]).toBe(24);

    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.authorize', params: [WORKER, 'x'] });
    send(session, { id: 2, method: 'mining.submit', params });
    expect((sink.take().find((m) => m.id === 2)?.error as unknown[])[0]).toBe(25);
  });

  it('a difficulty change judges shares of earlier jobs at the easier difficulty', () => {
    const started = start();
    send(started.session, { id: 5, method: 'mining.suggest_difficulty', params: [1000] });
    started.sink.take();
    // Mined for 1e-6 on the job sent before the change: still accepted, credited at 1e-6.
    expect(submit(started, share(started, 1e-6)).result).toBe(true);
    expect(started.log.accepted.at(-1)?.difficulty).toBe(1e-6);
  });

  it('submits a block before anything else happens to the share', () => {
    const started = start([{}, testTemplate('207fffff')]);
    expect(submit(started, share(started)).result).toBe(true);
    expect(started.log.order).toEqual(['block', 'share']);
    expect(started.log.accepted[0]?.share.isBlock).toBe(true);
  });

  it('sustained invalid shares cost ban points', () => {
    const started = start();
    for (let i = 0; i < 50; i++) {
      submit(started, share(started, 1e-6, { miss: true, startNonce: i * 10 }));
    }
    expect(started.sink.penalties).toEqual([{ points: 50, reason: '50 invalid shares in a row' }]);
  });
});

describe('Stratum session: garbage', () => {
  it('invalid JSON, non-objects and unknown methods get error 20; answers to server requests are ignored', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    session.receive('{"id":1,"method":', 0);
    session.receive('[1,2,3]', 0);
    session.receive('{"id":{"x":1},"method":"mining.subscribe"}', 0);
    session.receive('{"id":4,"method":"mining.subscribe","params":"x"}', 0);
    session.receive('{"id":5,"result":"bitaxe v2.4","error":null}', 0);
    send(session, { id: 6, method: 'mining.get_transactions', params: [] });
    expect(sink.take().map((m) => [m.id, (m.error as unknown[])[0], (m.error as unknown[])[1]])).toEqual([
      [null, 20, 'Invalid JSON'],
      [null, 20, 'A request must be a JSON object'],
      [null, 20, 'id must be a number, a short string or null'],
      [4, 20, 'params must be an array'],
      [6, 20, 'Unknown method mining.get_transactions'],
    ]);
    expect(sink.penalties).toHaveLength(4);
  });

  it('closes a connection that keeps asking without authorizing', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    for (let id = 0; id < 6; id++) {
      send(session, { id, method: 'mining.submit', params: [] });
    }
    expect(sink.closedWith).toBe('too many requests before mining.authorize');
  });
});

describe('Stratum session: SOLO', () => {
  const miner = `${OTHER_TESTNET_ADDRESS}.solo1`;
  const scripts = (): { pool: Buffer; finder: Buffer } => {
    const pool = payoutScript(TESTNET_ADDRESS, 'test');
    const finder = payoutScript(OTHER_TESTNET_ADDRESS, 'test');
    if (!pool.ok || !finder.ok) {
      throw new Error('test addresses');
    }
    return { pool: pool.script, finder: finder.script };
  };

  it('in a SOLO pool, the first job comes after authorize and pays the finder and the pool fee', () => {
    const { env, log } = testEnvironment({ soloByDefault: true });
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: [] });
    expect(sink.take().map((m) => m.method ?? 'reply')).toEqual(['reply', 'mining.set_difficulty']);
    send(session, { id: 2, method: 'mining.authorize', params: [miner, 'x'] });
    const notify = sink.take().find((m) => m.method === 'mining.notify')?.params as NotifyParams;
    const coinb2 = Buffer.from(notify[3], 'hex');
    expect(coinb2.includes(scripts().finder)).toBe(true);
    expect(coinb2.includes(scripts().pool)).toBe(true);
    const extranonce1 = session.state.extranonce1 ?? Buffer.alloc(0);
    const mined = mineShare(notify, extranonce1, 8, 1e-6);
    send(session, {
      id: 3,
      method: 'mining.submit',
      params: [miner, notify[0], mined.extranonce2, mined.ntime, mined.nonce],
    });
    expect(sink.take().find((m) => m.id === 3)?.result).toBe(true);
    expect(log.accepted[0]?.solo).toBe(true);
  });

  it('in a pool, a miner asks for SOLO with its password and gets a clean job of its own', () => {
    const { env, log } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.subscribe', params: [] });
    const poolJob = sink.take().find((m) => m.method === 'mining.notify')?.params as NotifyParams;
    expect(Buffer.from(poolJob[3], 'hex').includes(scripts().finder)).toBe(false);
    send(session, { id: 2, method: 'mining.authorize', params: [miner, 'd=0.001,solo'] });
    const soloJob = sink.take().find((m) => m.method === 'mining.notify')?.params as NotifyParams;
    expect(soloJob[8]).toBe(true);
    expect(Buffer.from(soloJob[3], 'hex').includes(scripts().finder)).toBe(true);
    // The pool job is not this session's any more.
    const mined = mineShare(poolJob, session.state.extranonce1 ?? Buffer.alloc(0), 8, 1e-6);
    send(session, {
      id: 3,
      method: 'mining.submit',
      params: [miner, poolJob[0], mined.extranonce2, mined.ntime, mined.nonce],
    });
    expect((sink.take().find((m) => m.id === 3)?.error as unknown[])[0]).toBe(21);
    expect(log.accepted).toHaveLength(0);
  });

  it('keeps one coinbase per connection: no pool worker on a SOLO connection, and the reverse', () => {
    const { env } = testEnvironment();
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.authorize', params: [miner, 'solo'] });
    send(session, { id: 2, method: 'mining.authorize', params: [`${TESTNET_ADDRESS}.rig`, 'x'] });
    send(session, { id: 3, method: 'mining.authorize', params: [`${OTHER_TESTNET_ADDRESS}.solo2`, 'solo'] });
    const replies = sink.take();
    expect(replies.find((m) => m.id === 1)?.result).toBe(true);
    expect(String((replies.find((m) => m.id === 2)?.error as unknown[])[1])).toMatch(
      /mines SOLO for another address/,
    );
    expect(replies.find((m) => m.id === 3)?.result).toBe(true);

    const other = new StratumSession(env, sink, '127.0.0.1', 0);
    send(other, { id: 4, method: 'mining.authorize', params: [`${TESTNET_ADDRESS}.rig`, 'x'] });
    send(other, { id: 5, method: 'mining.authorize', params: [miner, 'solo'] });
    expect(String((sink.take().find((m) => m.id === 5)?.error as unknown[])[1])).toMatch(
      /already mines for the pool/,
    );
  });

  it('refuses a SOLO worker without an address', () => {
    const { env } = testEnvironment({ soloByDefault: true });
    const sink = new RecordingSink();
    const session = new StratumSession(env, sink, '127.0.0.1', 0);
    send(session, { id: 1, method: 'mining.authorize', params: ['alice.rig', 'x'] });
    expect(String((sink.take()[0]?.error as unknown[])[1])).toMatch(/SOLO mining pays the address/);
  });
});
