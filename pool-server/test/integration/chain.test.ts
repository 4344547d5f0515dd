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
import { BlockJournal } from '../../src/chain/block-journal.ts';
import { BlockSubmitter, type BlockOutcome } from '../../src/chain/block-submitter.ts';
import type { DevNode } from '../../src/chain/devchain/node.ts';
import { BitcoinRpcClient, RpcError, type RpcAuth } from '../../src/chain/rpc-client.ts';
import { checkNode, StartupError } from '../../src/chain/startup-checks.ts';
import { TemplateSource } from '../../src/chain/template-source.ts';
import { encodeCompact, targetFromDifficulty } from '../../src/work/target.ts';
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
): BitcoinRpcClient {
  return new BitcoinRpcClient({ url, auth, timeoutMs: 2_000, retries, retryDelayMs: 10 });
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
): Promise<{ url: string; close(): void; calls: string[] }> {
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
  return { url: `http://127.0.0.1:${String(port)}/`, close: () => server.close(), calls };
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

describe('block submitter', () => {
  let node: DevNode;
  let dir: string;
  beforeAll(async () => {
    node = await devnode(false);
    dir = await mkdtemp(path.join(os.tmpdir(), 'hashwatt-blocks-'));
  });
  afterAll(async () => {
    await node.stop();
    await rm(dir, { recursive: true });
  });

  it("records a refused block with the node's reason", async () => {
    const journal = path.join(dir, 'blocks.jsonl');
    const submitter = new BlockSubmitter(client(node.rpcUrl), new BlockJournal(journal), log);
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
    const header = Buffer.from(node.chain.tip.header);
    Buffer.from(node.chain.tip.hash, 'hex').reverse().copy(header, 4);
    const outcome: BlockOutcome = await submitter.submit(block, `${header.toString('hex')}00`);
    expect(outcome).toMatchObject({ status: 'rejected', detail: 'bad-diffbits' });
    const garbage = await submitter.submit(block, 'zz');
    expect(garbage).toMatchObject({
      status: 'rejected',
      detail: 'submitblock: Block decode failed (bitcoind error -22)',
    });
    const lines = (await readFile(journal, 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ status: 'rejected', reward: '5000000000' });
    // A line torn by a crash is counted, not fatal; the blocks read back whole.
    await appendFile(journal, '{"hash":"00');
    const contents = await new BlockJournal(journal).read();
    expect(contents.unreadable).toBe(1);
    expect(contents.blocks).toEqual([
      { ...block, status: 'rejected', detail: 'bad-diffbits' },
      { ...block, status: 'rejected', detail: 'submitblock: Block decode failed (bitcoind error -22)' },
    ]);
    expect(await new BlockJournal(path.join(dir, 'none.jsonl')).read()).toEqual({
      blocks: [],
      unreadable: 0,
    });
  });
});
