/**
 * Starts: the devchain node (HTTP JSON-RPC and ZMQ) and, for the answers a devchain
 * never gives (a node warming up or syncing), a small HTTP server replying with
 * Bitcoin Core's exact error objects.
 */
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlockJournal } from '../../src/ledger/blocks/block-journal.ts';
import { BlockSubmitter, type BlockOutcome } from '../../src/chain/block-submitter.ts';
import { DevChain } from '../../src/dev/devchain/chain.ts';
import type { DevNode } from '../../src/dev/devchain/node.ts';
import {
  BitcoinRpcClient,
  RpcError,
  type RpcAuth,
  type RpcClientOptions,
} from '../../src/chain/rpc-client.ts';
import { PendingBlocks } from '../../src/ledger/blocks/pending-blocks.ts';
import { checkNode, checkWallet, StartupError } from '../../src/chain/startup-checks.ts';
import { TemplateSource } from '../../src/chain/template-source.ts';
import { encodeCompact, targetFromDifficulty } from '../../src/work/target.ts';
import { findBlock } from '../helpers/blocks.ts';
import { startTestNode } from '../helpers/devnode.ts';
import { eventually } from '../helpers/eventually.ts';
import { MINER_ADDRESS } from '../helpers/pool.ts';

const log = pino({ level: 'silent' });

async function devnode(zmq: boolean, difficulty = 1): Promise<DevNode> {
  const { node } = await startTestNode({
    rpcUser: 'pool',
    rpcPassword: 'secret',
    zmqPort: zmq ? 0 : undefined,
    bits: encodeCompact(targetFromDifficulty(difficulty)),
    mempoolSize: 5,
  });
  return node;
}

function client(
  url: string,
  auth: RpcAuth = { user: 'pool', password: 'secret' },
  retries = 0,
  options: Partial<RpcClientOptions> = {},
): BitcoinRpcClient {
  return new BitcoinRpcClient({ url, auth, timeoutMs: 2_000, retries, retryDelayMs: 10, ...options });
}

async function rpcError(promise: Promise<unknown>): Promise<RpcError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RpcError) {
      return error;
    }
    throw error;
  }
  throw new Error('the call succeeded');
}

/** An HTTP server answering every call with `answer` (status, body). */
async function fakeNode(
  answer: (method: string) => [number, unknown],
): Promise<{ url: string; close(): void; calls: string[]; server: http.Server }> {
  const calls: string[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { method } = JSON.parse(body) as { method: string };
      calls.push(method);
      const [status, payload] = answer(method);
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    close() {
      server.closeAllConnections();
      server.close();
    },
    calls,
    server,
  };
}

/** An HTTP server that hands each call's method, request and response to `handle`. */
async function rawNode(
  handle: (
    method: string,
    response: http.ServerResponse,
    request: http.IncomingMessage,
    params: readonly unknown[],
  ) => void,
): Promise<{ url: string; close(): void }> {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const call = JSON.parse(body) as { method: string; params?: unknown[] };
      handle(call.method, response, request, call.params ?? []);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

function answer(response: http.ServerResponse, result: unknown): void {
  response
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ result, error: null, id: 1 }));
}

describe('bitcoind RPC client', () => {
  let node: DevNode;
  beforeAll(async () => {
    node = await devnode(false);
  });
  afterAll(async () => {
    await node.stop();
  });

  it('calls the node', async () => {
    expect(await client(node.rpcUrl).call<number>('getblockcount')).toBe(0);
  });

  it('wrong credentials: unauthorized, with what to check', async () => {
    const error = await rpcError(
      client(node.rpcUrl, { user: 'pool', password: 'wrong' }).call('getblockcount'),
    );
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/rpcuser\/rpcpassword or the cookie file/);
  });

  it('a cookie file, read again when the node has rotated it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-cookie-'));
    const cookie = path.join(dir, '.cookie');
    await writeFile(cookie, 'pool:stale');
    const rpc = client(node.rpcUrl, { cookieFile: cookie });
    expect((await rpcError(rpc.call('getblockcount'))).kind).toBe('unauthorized');
    // The node restarted and wrote a new cookie: the next 401 makes the client read it again.
    await writeFile(cookie, 'pool:secret');
    expect(await rpc.call('getblockcount')).toBe(0);
    const missing = await rpcError(
      client(node.rpcUrl, { cookieFile: path.join(dir, 'nope') }).call('getblockcount'),
    );
    expect(missing.message).toMatch(/cannot read the bitcoind cookie file/);
    await rm(dir, { recursive: true });
  });

  it('an unreachable node, retried with backoff before giving up', async () => {
    const closed = await fakeNode(() => [200, {}]);
    closed.close();
    const started = Date.now();
    const error = await rpcError(client(closed.url, undefined, 3).call('getblockcount'));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/is unreachable \(ECONNREFUSED\)/);
    // 10 + 20 + 40 ms of backoff between the four attempts.
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
  });

  it('credentials never appear in the endpoint it reports', () => {
    expect(client('http://user:pass@127.0.0.1:8332/').endpoint).toBe('http://127.0.0.1:8332/');
  });

  it('bitcoind errors: warming up (-28) is retried, initial download (-10) and others are not', async () => {
    let warm = 2;
    const fake = await fakeNode((method) => {
      if (method === 'getblockcount') {
        return warm-- > 0
          ? [500, { result: null, error: { code: -28, message: 'Loading block index…' }, id: 1 }]
          : [200, { result: 7, error: null, id: 1 }];
      }
      if (method === 'getblocktemplate') {
        return [
          500,
          {
            result: null,
            error: { code: -10, message: 'Bitcoin Core is in initial sync and waiting for blocks...' },
            id: 1,
          },
        ];
      }
      return [404, { result: null, error: { code: -32601, message: 'Method not found' }, id: 1 }];
    });
    expect(await client(fake.url, undefined, 3).call('getblockcount')).toBe(7);
    warm = 1;
    const warming = await rpcError(client(fake.url, undefined, 0).call('getblockcount'));
    expect(warming).toMatchObject({ kind: 'warming-up', rpcCode: -28 });
    const syncing = await rpcError(client(fake.url, undefined, 3).call('getblocktemplate'));
    expect(syncing.kind).toBe('initial-download');
    expect(syncing.rpcCode).toBe(-10);
    const unknown = await rpcError(client(fake.url).call('frobnicate'));
    expect(unknown).toMatchObject({ kind: 'rpc', rpcCode: -32601 });
    expect(unknown.message).toBe('frobnicate: Method not found (bitcoind error -32601)');
    fake.close();
  });

  it.each([
    [
      'HTTP 503 with an empty body (shutting down, work queue full)',
      'unavailable',
      (response: http.ServerResponse) => response.writeHead(503).end(),
      /HTTP 503: it is shutting down, or its RPC work queue is full \(raise -rpcthreads and -rpcworkqueue\)/,
    ],
    [
      'a connection closed before the answer',
      'connection-lost',
      (_response: http.ServerResponse, request: http.IncomingMessage) => request.socket.destroy(),
      /closed the connection before answering getblockcount/,
    ],
  ] as const)('%s: %s, retried', async (_name, kind, fail, message) => {
    let failures = 2;
    const fake = await rawNode((_method, response, request) => {
      if (failures-- > 0) {
        fail(response, request);
      } else {
        answer(response, 7);
      }
    });
    expect(await client(fake.url, undefined, 3).call('getblockcount')).toBe(7);
    failures = 1;
    const error = await rpcError(client(fake.url).call('getblockcount'));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
    fake.close();
  });

  it('lanes: calls at most maxConcurrentCalls at once, and a held longpoll or busy calls never hold up a block', async () => {
    let callsAtNode = 0;
    let most = 0;
    const heldCalls: http.ServerResponse[] = [];
    let heldLongpoll: http.ServerResponse | undefined;
    const fake = await rawNode((method, response) => {
      if (method === 'submitblock') {
        answer(response, null);
      } else if (method === 'getblocktemplate') {
        heldLongpoll = response;
      } else {
        callsAtNode++;
        most = Math.max(most, callsAtNode);
        heldCalls.push(response);
      }
    });
    const rpc = client(fake.url, undefined, 0, { timeoutMs: 5_000, maxConcurrentCalls: 2 });
    const longpoll = new AbortController();
    const polling = rpc.call('getblocktemplate', [{ longpollid: 'x' }], {
      lane: 'longpoll',
      signal: longpoll.signal,
    });
    const calls = Array.from({ length: 5 }, () => rpc.call<number>('getbestblockhash'));
    await eventually(
      () => (heldLongpoll && heldCalls.length === 2 ? true : undefined),
      'the longpoll and two calls held at the node',
    );
    expect(await rpc.call('submitblock', ['00'], { lane: 'submit' })).toBeNull();
    // Each answer lets one more waiting call through.
    for (let answered = 0; answered < 5; answered++) {
      const next = await eventually(() => heldCalls.shift(), 'a call at the node');
      callsAtNode--;
      answer(next, answered);
    }
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    longpoll.abort();
    expect((await rpcError(polling)).kind).toBe('aborted');
    fake.close();
  });

  it('a found block goes out on a connection already open; other calls open their own', async () => {
    const connections: string[] = [];
    const fake = await fakeNode((method) => [
      200,
      { result: method === 'submitblock' ? null : 'ok', error: null, id: 1 },
    ]);
    const server = fake.server;
    server.on('connection', () => connections.push('new'));
    const rpc = client(fake.url);
    const kept = new BlockSubmitter(rpc, { record: () => Promise.resolve() }, log, {
      pending: new PendingBlocks(await mkdtemp(path.join(os.tmpdir(), 'hashwatt-warm-'))),
    });
    // Its first call at once; the next only after the test (calls overlapping would open a second connection).
    kept.keepConnectionWarm(60_000);
    await eventually(
      () => (fake.calls.includes('getbestblockhash') ? true : undefined),
      'the call that opens the submit connection',
    );
    expect(connections).toHaveLength(1);
    expect(await rpc.call('submitblock', ['00'], { lane: 'submit' })).toBeNull();
    expect(connections).toHaveLength(1);
    await rpc.call('getblockcount');
    await rpc.call('getblockcount');
    expect(connections).toHaveLength(3);
    await kept.stop();
    // A kept connection gathers nothing per call: no listener piles up on its socket.
    const warnings: string[] = [];
    const warned = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', warned);
    for (let call = 0; call < 15; call++) {
      await rpc.call('getbestblockhash', [], { lane: 'submit' });
    }
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', warned);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(connections).toHaveLength(3);
    rpc.close();
    fake.close();
  });

  it('a node that answers too slowly times out', async () => {
    const slow = http.createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((slow.address() as AddressInfo).port)}/`;
    const error = await rpcError(
      new BitcoinRpcClient({
        url,
        auth: { user: 'a', password: 'b' },
        timeoutMs: 100,
        retries: 0,
        retryDelayMs: 1,
      }).call('getblockcount'),
    );
    expect(error.kind).toBe('timeout');
    slow.closeAllConnections();
    slow.close();
  });
});

describe('start-up checks', () => {
  let node: DevNode;
  beforeAll(async () => {
    node = await devnode(false);
  });
  afterAll(async () => {
    await node.stop();
  });

  it('pass on the right chain with a valid address', async () => {
    expect(
      (await checkNode(client(node.rpcUrl), { chain: 'regtest', payoutAddress: MINER_ADDRESS })).chain,
    ).toBe('regtest');
  });

  it('name a wrong chain, an address of another chain, and a syncing node', async () => {
    await expect(
      checkNode(client(node.rpcUrl), { chain: 'main', payoutAddress: MINER_ADDRESS }),
    ).rejects.toThrow(/is on chain "regtest", but hashwatt is configured for "main"/);
    await expect(
      checkNode(client(node.rpcUrl), {
        chain: 'regtest',
        payoutAddress: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      }),
    ).rejects.toThrow(StartupError);
    const syncing = await fakeNode(() => [
      200,
      {
        result: {
          chain: 'main',
          blocks: 800_000,
          headers: 870_000,
          initialblockdownload: true,
          verificationprogress: 0.93,
        },
        error: null,
        id: 1,
      },
    ]);
    await expect(
      checkNode(client(syncing.url), {
        chain: 'main',
        payoutAddress: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4',
      }),
    ).rejects.toThrow(
      'bitcoind is still syncing: block 800000 of 870000 (93.00 % verified); start the pool when it has caught up',
    );
    syncing.close();
  });
});

describe('start-up checks of what the node is and has', () => {
  it("a test chain's node in initial block download passes: it serves templates (a fresh regtest chain)", async () => {
    const { node, rpc } = await startTestNode({ initialBlockDownload: true });
    try {
      expect(await checkNode(rpc, { chain: 'regtest', payoutAddress: MINER_ADDRESS })).toMatchObject({
        initialblockdownload: true,
      });
    } finally {
      await node.stop();
    }
  });

  it('the wallet payouts spend from: loaded, named when several are, and owning the payout address', async () => {
    const { node } = await startTestNode({
      rpcUser: 'pool',
      rpcPassword: 'secret',
      wallets: ['pool', 'cold'],
    });
    const none = await startTestNode({ rpcUser: 'pool', rpcPassword: 'secret', wallets: [] });
    const noWallet = await fakeNode(() => [
      404,
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 1 },
    ]);
    try {
      await expect(checkWallet(client(node.rpcUrl), undefined)).rejects.toThrow(
        `bitcoind at ${node.rpcUrl} has 2 wallets loaded ("pool", "cold"): name the one payouts spend from at the end of node.rpcUrl, e.g. ${node.rpcUrl}wallet/pool`,
      );
      const pool = client(`${node.rpcUrl}wallet/pool`);
      const own = await pool.call<string>('getnewaddress');
      expect(await checkWallet(pool, own)).toBe('pool');
      expect(await checkWallet(pool, undefined)).toBe('pool');
      const cold = await client(`${node.rpcUrl}wallet/cold`).call<string>('getnewaddress');
      await expect(checkWallet(pool, cold)).rejects.toThrow(
        `pool.payoutAddress ${cold} is not an address of bitcoind's wallet "pool", and payouts spend the coinbases paid to it`,
      );
      await expect(checkWallet(client(`${node.rpcUrl}wallet/hot`), undefined)).rejects.toThrow(
        'the wallet "hot" that node.rpcUrl names is not loaded in bitcoind (loaded: "pool", "cold")',
      );
      await expect(checkWallet(client(none.node.rpcUrl), undefined)).rejects.toThrow(/has no wallet loaded/);
      await expect(checkWallet(client(noWallet.url), undefined)).rejects.toThrow(
        /runs without a wallet \(-disablewallet\)/,
      );
      await expect(checkWallet(pool, 'bcrt1qnot-an-address')).rejects.toThrow(StartupError);
    } finally {
      noWallet.close();
      await none.node.stop();
      await node.stop();
    }
  });
});

describe('template source', () => {
  it.each([
    ['tip polling alone', false, false],
    ['ZMQ hashblock', true, false],
    ['longpoll', false, true],
  ])('sees a new block within a second through %s', async (_name, zmq, longpoll) => {
    const node = await devnode(zmq);
    const source = new TemplateSource(
      client(node.rpcUrl),
      // Without ZMQ or longpoll only the poll can notice; with them, the poll is too slow to be what did.
      {
        pollIntervalMs: zmq || longpoll ? 5_000 : 250,
        refreshIntervalMs: 60_000,
        longpoll,
        longpollTimeoutMs: 10_000,
        zmqUrl: node.zmqUrl,
      },
      log,
    );
    const seen: { height: number; newBlock: boolean }[] = [];
    source.onTemplate((template, newBlock) => seen.push({ height: template.height, newBlock }));
    expect((await source.start()).height).toBe(1);
    if (zmq) {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the subscription connects
    }
    const started = Date.now();
    node.chain.addNetworkBlock();
    await eventually(() => seen.find((entry) => entry.height === 2), 'the new template', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(seen.at(-1)).toEqual({ height: 2, newBlock: true });
    source.stop();
    await node.stop();
  });

  it('refreshes for new transactions without calling it a new block, and keeps the last template while the node is away', async () => {
    const node = await devnode(false);
    const rpc = client(node.rpcUrl);
    const source = new TemplateSource(
      rpc,
      {
        pollIntervalMs: 100,
        refreshIntervalMs: 100_000,
        longpoll: false,
        longpollTimeoutMs: 1_000,
        zmqUrl: undefined,
      },
      log,
    );
    const seen: boolean[] = [];
    source.onTemplate((_template, newBlock) => seen.push(newBlock));
    const first = await source.start();
    node.chain.refillMempool();
    await source.refresh();
    expect(seen).toEqual([true]); // nothing changed: the same longpollid is not a new template
    await node.stop();
    await source.refresh();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(source.current).toBe(first);
    source.stop();
  });
});

describe('template source at stop', () => {
  it('ends its held longpoll at once instead of leaving it with the node', async () => {
    const chain = new DevChain({
      bits: 0x207fffff,
      halvingInterval: 150,
      mempoolSize: 0,
      now: () => 1_800_000_000,
    });
    let held = false;
    let closed = false;
    const fake = await rawNode((method, response, _request, params) => {
      const longpollId = (params[0] as { longpollid?: unknown } | undefined)?.longpollid;
      if (method === 'getblocktemplate' && longpollId !== undefined) {
        held = true;
        response.once('close', () => {
          closed = true;
        });
        return;
      }
      answer(response, method === 'getblocktemplate' ? chain.blockTemplate() : chain.tip.hash);
    });
    const source = new TemplateSource(
      client(fake.url),
      {
        pollIntervalMs: 5_000,
        refreshIntervalMs: 60_000,
        longpoll: true,
        longpollTimeoutMs: 60_000,
        zmqUrl: undefined,
      },
      log,
    );
    await source.start();
    await eventually(() => (held ? true : undefined), 'the longpoll held at the node');
    source.stop();
    await eventually(() => (closed ? true : undefined), 'the longpoll connection closed', 1_000);
    fake.close();
  });
});

describe('block submitter', () => {
  let node: DevNode;
  let dir: string;
  beforeAll(async () => {
    // Regtest's easiest target: the tests' blocks are found in a few hashes.
    node = (await startTestNode({ rpcUser: 'pool', rpcPassword: 'secret' })).node;
    dir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-blocks-'));
  });
  afterAll(async () => {
    await node.stop();
    await rm(dir, { recursive: true });
  });

  /** submitblock calls the node's faults have met so far. */
  const affected = (): number => node.faults.affected.submitblock ?? 0;

  /** A submitter recording into a journal of its own, its pending blocks in a folder of their own. */
  function submitter(
    name: string,
    rpc = client(node.rpcUrl),
    otherNodes: BitcoinRpcClient[] = [],
  ): { submitter: BlockSubmitter; journal: BlockJournal; pending: PendingBlocks } {
    const journal = new BlockJournal(path.join(dir, `${name}.jsonl`));
    const pending = new PendingBlocks(path.join(dir, `${name}-pending`));
    return {
      submitter: new BlockSubmitter(rpc, journal, log, {
        pending,
        otherNodes,
        firstRetryMs: 5,
        maxRetryMs: 50,
      }),
      journal,
      pending,
    };
  }

  it("records a refused block with the node's reason", async () => {
    const hard = await devnode(false);
    const { submitter: refusing, journal } = submitter('refused', client(hard.rpcUrl));
    const block = {
      height: 1,
      hash: '00'.repeat(32),
      reward: 5_000_000_000n,
      fees: 0n,
      networkDifficulty: 1,
      finder: { account: 'a', worker: 'a.b' },
      solo: false,
      foundAtMs: 0,
    };
    // A header on the tip with the genesis bits and no transactions: refused for its bits.
    const header = Buffer.from(hard.chain.tip.header);
    Buffer.from(hard.chain.tip.hash, 'hex').reverse().copy(header, 4);
    const outcome = await refusing.submit(block, `${header.toString('hex')}00`);
    expect(outcome).toMatchObject({ status: 'rejected', detail: 'bad-diffbits' });
    const garbage = await refusing.submit({ ...block, hash: '01'.repeat(32) }, 'zz');
    expect(garbage).toMatchObject({
      status: 'rejected',
      detail: 'submitblock: Block decode failed (bitcoind error -22)',
    });
    const file = path.join(dir, 'refused.jsonl');
    const lines = (await readFile(file, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ status: 'rejected', reward: '5000000000' });
    // A line torn by a crash is counted, not fatal; the blocks read back whole.
    await appendFile(file, '{"hash":"00');
    const contents = await journal.read();
    expect(contents.unreadable).toBe(1);
    expect(contents.blocks).toEqual([
      { ...block, status: 'rejected', detail: 'bad-diffbits' },
      {
        ...block,
        hash: '01'.repeat(32),
        status: 'rejected',
        detail: 'submitblock: Block decode failed (bitcoind error -22)',
      },
    ]);
    expect(await new BlockJournal(path.join(dir, 'none.jsonl')).read()).toEqual({
      blocks: [],
      unreadable: 0,
    });
    await hard.stop();
  });

  it('a valid block: accepted, recorded once, nothing left pending', async () => {
    const { submitter: accepting, journal, pending } = submitter('valid');
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    expect(await accepting.submit(block, blockHex)).toEqual({
      ...block,
      status: 'accepted',
      detail: 'accepted',
    });
    expect(node.chain.tip.hash).toBe(block.hash);
    expect((await journal.read()).blocks).toEqual([{ ...block, status: 'accepted', detail: 'accepted' }]);
    expect(await pending.list()).toEqual({ blocks: [], unreadable: [] });
  });

  it.each([
    ['HTTP 503 with an empty body', { fault: 'unavailable', count: 6 }],
    ['dropped connections, the block never processed', { fault: 'drop', count: 3 }],
    ['answers slower than the client waits', { fault: 'slow', count: 2, delayMs: 400 }],
  ] as const)('%s: offered until the node takes it, then accepted', async (_name, plan) => {
    const rpc = client(node.rpcUrl, undefined, 0, { timeoutMs: 150 });
    const { submitter: patient, journal } = submitter(`transient-${plan.fault}`, rpc);
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    const before = affected();
    node.faults.inject({ ...plan, methods: ['submitblock'] });
    try {
      const outcome = await patient.submit(block, blockHex);
      expect(outcome?.status).toBe('accepted');
      expect(affected() - before).toBe(plan.count);
    } finally {
      node.faults.clear();
    }
    expect(node.chain.tip.hash).toBe(block.hash);
    expect((await journal.read()).blocks.map((recorded) => recorded.status)).toEqual(['accepted']);
  });

  it('a connection dropped after the node took the block: found on the chain, not offered again', async () => {
    const { submitter: asking } = submitter('drop-after');
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    const before = affected();
    node.faults.inject({ fault: 'drop-after', count: Number.POSITIVE_INFINITY, methods: ['submitblock'] });
    try {
      const outcome = await asking.submit(block, blockHex);
      expect(outcome).toMatchObject({ status: 'accepted', detail: 'on the best chain' });
      expect(affected() - before).toBe(1);
    } finally {
      node.faults.clear();
    }
  });

  it('a block it cannot build (a V2 Coinbase-only job): never offered, accepted once its miner broadcasts it', async () => {
    const { submitter: watching, pending } = submitter('watched');
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    // Every offer would fail: a block reaching the chain can only be the miner's own broadcast.
    node.faults.inject({ fault: 'unavailable', count: Number.POSITIVE_INFINITY, methods: ['submitblock'] });
    const before = affected();
    let outcome: BlockOutcome | undefined;
    try {
      void watching.submit(block, '').then((settled) => {
        outcome = settled;
      });
      const kept = await eventually(async () => (await pending.list()).blocks[0], 'the block kept pending');
      expect(kept.blockHex).toBe('');
      expect(node.chain.submitBlock(Buffer.from(blockHex, 'hex'))).toBeNull();
      await eventually(() => outcome, 'the watched block settled');
    } finally {
      node.faults.clear();
    }
    expect(outcome).toMatchObject({ status: 'accepted', detail: 'on the best chain' });
    expect(affected() - before).toBe(0);
  });

  it('is given up as stale only once the chain is two blocks past a block the node never took', async () => {
    const { submitter: waiting, journal } = submitter('stale');
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    const before = affected();
    node.faults.inject({ fault: 'unavailable', count: Number.POSITIVE_INFINITY, methods: ['submitblock'] });
    try {
      let outcome: BlockOutcome | undefined;
      void waiting.submit(block, blockHex).then((settled) => {
        outcome = settled;
      });
      node.chain.addNetworkBlock(); // the competitor at the block's height
      node.chain.addNetworkBlock(); // one past it: the block could still win a reorganisation
      await eventually(() => (affected() - before > 20 ? true : undefined), 'offers');
      expect(outcome).toBeUndefined();
      node.chain.addNetworkBlock();
      const settled = await eventually(() => outcome, 'the block given up');
      expect(settled.status).toBe('stale');
      expect(settled.detail).toMatch(/^never reached the node before the chain went on without it/);
    } finally {
      node.faults.clear();
    }
    expect((await journal.read()).blocks.map((recorded) => recorded.status)).toEqual(['stale']);
  });

  it('offers every block to the other nodes too, so one the main node cannot take still gets out', async () => {
    // Two fresh chains at the same genesis with empty mempools: a block of one is valid on the other.
    const main = (await startTestNode({ rpcUser: 'pool', rpcPassword: 'secret' })).node;
    const other = (await startTestNode({ rpcUser: 'pool', rpcPassword: 'secret' })).node;
    try {
      const journal = new BlockJournal(path.join(dir, 'other-nodes.jsonl'));
      const spreading = new BlockSubmitter(client(main.rpcUrl), journal, log, {
        pending: new PendingBlocks(path.join(dir, 'other-nodes-pending')),
        otherNodes: [client(other.rpcUrl)],
        firstRetryMs: 5,
        maxRetryMs: 50,
      });
      const { block, blockHex } = findBlock(main.chain.blockTemplate());
      main.faults.inject({ fault: 'unavailable', count: Number.POSITIVE_INFINITY, methods: ['submitblock'] });
      const settling = spreading.submit(block, blockHex);
      await eventually(
        () => (other.chain.tip.hash === block.hash ? true : undefined),
        'the block on the other node',
      );
      main.faults.clear();
      expect((await settling)?.status).toBe('accepted');
      expect(main.chain.tip.hash).toBe(block.hash);
    } finally {
      await main.stop();
      await other.stop();
    }
  });

  it('a block left unsettled at stop stays on disk and is settled at the next start', async () => {
    const first = submitter('resume');
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    const before = affected();
    node.faults.inject({ fault: 'unavailable', count: Number.POSITIVE_INFINITY, methods: ['submitblock'] });
    try {
      const settling = first.submitter.submit(block, blockHex);
      await eventually(() => (affected() - before >= 2 ? true : undefined), 'offers');
      await first.submitter.stop(0);
      expect(await settling).toBeUndefined();
    } finally {
      node.faults.clear();
    }
    expect((await first.pending.list()).blocks).toEqual([{ block, blockHex }]);
    expect((await first.journal.read()).blocks).toEqual([]);
    const next = submitter('resume');
    // An offer called off at the stop may still have reached the node: then it has the block already.
    const [resumed, ...more] = await next.submitter.resume();
    expect(more).toEqual([]);
    expect(resumed).toMatchObject({ ...block, status: 'accepted' });
    expect(['accepted', 'duplicate']).toContain(resumed?.detail);
    expect((await next.pending.list()).blocks).toEqual([]);
    expect((await next.journal.read()).blocks.map((recorded) => recorded.hash)).toEqual([block.hash]);
  });

  it('a block that cannot be kept on disk is still offered and recorded', async () => {
    const blocker = path.join(dir, 'not-a-folder');
    await writeFile(blocker, '');
    const journal = new BlockJournal(path.join(dir, 'no-disk.jsonl'));
    const offering = new BlockSubmitter(client(node.rpcUrl), journal, log, {
      pending: new PendingBlocks(path.join(blocker, 'pending')),
    });
    const { block, blockHex } = findBlock(node.chain.blockTemplate());
    expect((await offering.submit(block, blockHex))?.status).toBe('accepted');
    expect((await journal.read()).blocks.map((recorded) => recorded.hash)).toEqual([block.hash]);
  });
});
