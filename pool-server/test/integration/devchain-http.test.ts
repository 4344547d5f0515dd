/**
 * Starts: devchain nodes; talks to them over raw HTTP, to see what Bitcoin Core's HTTP server
 * does that a JSON-RPC client cannot hide: its thread pool and work queue, its shutdown, and
 * the faults tests inject.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DevNode, DevNodeOptions } from '../../src/dev/devchain/node.ts';
import { findBlock } from '../helpers/blocks.ts';
import { startTestNode } from '../helpers/devnode.ts';
import { eventually } from '../helpers/eventually.ts';

/** libevent's error page, which Core sends to every request once it is shutting down. */
const SHUTDOWN_PAGE =
  '<HTML><HEAD>\n<TITLE>503 Service Unavailable</TITLE>\n</HEAD><BODY>\n<H1>Service Unavailable</H1>\n</BODY></HTML>\n';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** One JSON-RPC call over its own HTTP request, with startTestNode's credentials. */
async function post(
  url: string,
  method: string,
  params: unknown[] = [],
  signal?: AbortSignal,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    body: JSON.stringify({ jsonrpc: '1.0', id: 1, method, params }),
    signal: signal ?? null,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function rpcError(answer: Answer): unknown {
  return (JSON.parse(answer.text) as { error: unknown }).error;
}

/** A block on the node's tip, mined at its (easiest) target. */
function mineBlock(node: DevNode): { hex: string; hash: string } {
  const { block, blockHex } = findBlock(node.chain.blockTemplate());
  return { hex: blockHex, hash: block.hash };
}

describe('devchain HTTP server, as Bitcoin Core runs it', () => {
  const started: DevNode[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((node) => node.stop()));
  });

  async function start(options: Partial<DevNodeOptions> = {}): Promise<DevNode> {
    const { node } = await startTestNode(options);
    started.push(node);
    return node;
  }

  /** `count` longpolls on the current template, each holding an RPC thread until the template changes. */
  function holdLongpolls(node: DevNode, count: number): Promise<Answer>[] {
    const longpollid = node.chain.longpollId;
    return Array.from({ length: count }, () =>
      post(node.rpcUrl, 'getblocktemplate', [{ rules: ['segwit'], longpollid }]),
    );
  }

  it("with Core 28's defaults, 4 held longpolls take every thread, 16 calls wait, and the next gets 503", async () => {
    const node = await start();
    const held = holdLongpolls(node, 4);
    await eventually(() => (node.rpcQueue.running === 4 ? true : undefined), 'four longpolls held');
    const waiting = Array.from({ length: 16 }, () => post(node.rpcUrl, 'getblockcount'));
    await eventually(() => (node.rpcQueue.queued === 16 ? true : undefined), 'sixteen calls queued');

    const refused = await post(node.rpcUrl, 'getblockcount');
    expect(refused.status).toBe(503);
    expect(refused.text).toBe('Work queue depth exceeded');
    expect(node.rpcQueue).toEqual({ running: 4, queued: 16 });

    // A new block answers the longpolls; the threads they free work through the queue.
    node.chain.addNetworkBlock();
    for (const answer of await Promise.all(held)) {
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toMatchObject({ result: { height: 2 }, error: null });
    }
    for (const answer of await Promise.all(waiting)) {
      expect(JSON.parse(answer.text)).toMatchObject({ result: 1, error: null });
    }
    expect(node.rpcQueue).toEqual({ running: 0, queued: 0 });
  });

  it('takes its thread and queue sizes from rpcThreads and rpcWorkQueue', async () => {
    const node = await start({ rpcThreads: 1, rpcWorkQueue: 1 });
    const held = holdLongpolls(node, 1);
    await eventually(() => (node.rpcQueue.running === 1 ? true : undefined), 'the longpoll held');
    const waiting = post(node.rpcUrl, 'getblockcount');
    await eventually(() => (node.rpcQueue.queued === 1 ? true : undefined), 'one call queued');
    expect((await post(node.rpcUrl, 'getbestblockhash')).status).toBe(503);
    node.chain.addNetworkBlock();
    expect((await Promise.all(held))[0]?.status).toBe(200);
    expect((await waiting).status).toBe(200);
  });

  it('answers 404 with no body on a path Core has no handler for', async () => {
    const node = await start();
    const answer = await post(`${node.rpcUrl}rest/chaininfo`, 'getblockcount');
    expect(answer).toMatchObject({ status: 404, text: '' });
  });

  it('shutting down: longpolls answer -9, queued calls still run, new requests get 503 and a closed connection', async () => {
    const node = await start({ rpcThreads: 1 });
    const [held] = holdLongpolls(node, 1);
    await eventually(() => (node.rpcQueue.running === 1 ? true : undefined), 'the longpoll held');
    const queued = post(node.rpcUrl, 'getblockcount');
    await eventually(() => (node.rpcQueue.queued === 1 ? true : undefined), 'one call queued');

    node.beginShutdown();
    const released = await held;
    expect(released?.status).toBe(500);
    expect(rpcError(released as Answer)).toEqual({ code: -9, message: 'Shutting down' });
    expect(JSON.parse((await queued).text)).toMatchObject({ result: 0, error: null });

    const refused = await post(node.rpcUrl, 'getblockcount');
    expect(refused.status).toBe(503);
    expect(refused.text).toBe(SHUTDOWN_PAGE);
    expect(refused.headers.get('connection')).toBe('close');
  });

  it('stops within moments with every thread holding a longpoll', async () => {
    const node = await start();
    const held = holdLongpolls(node, 4);
    await eventually(() => (node.rpcQueue.running === 4 ? true : undefined), 'four longpolls held');
    const stopping = Date.now();
    await node.stop();
    expect(Date.now() - stopping).toBeLessThan(1_000);
    for (const answer of await Promise.all(held)) {
      expect(rpcError(answer)).toEqual({ code: -9, message: 'Shutting down' });
    }
  });

  describe('faults', () => {
    it("'unavailable': 503 with an empty body for the methods and count planned, counted by method", async () => {
      const node = await start();
      node.faults.inject({ fault: 'unavailable', count: 2, methods: ['getblockcount'] });
      expect(await post(node.rpcUrl, 'getbestblockhash')).toMatchObject({ status: 200 });
      expect(await post(node.rpcUrl, 'getblockcount')).toMatchObject({ status: 503, text: '' });
      expect(await post(node.rpcUrl, 'getblockcount')).toMatchObject({ status: 503, text: '' });
      expect(await post(node.rpcUrl, 'getblockcount')).toMatchObject({ status: 200 });
      expect(node.faults.affected).toEqual({ getblockcount: 2 });
    });

    it('plans apply in the order injected, until cleared; affected keeps counting', async () => {
      const node = await start();
      node.faults.inject({ fault: 'unavailable', count: 1 });
      node.faults.inject({ fault: 'drop', count: Number.POSITIVE_INFINITY, methods: ['getblockcount'] });
      expect((await post(node.rpcUrl, 'getblockcount')).status).toBe(503);
      await expect(post(node.rpcUrl, 'getblockcount')).rejects.toThrow();
      await expect(post(node.rpcUrl, 'getblockcount')).rejects.toThrow();
      node.faults.clear();
      expect((await post(node.rpcUrl, 'getblockcount')).status).toBe(200);
      expect(node.faults.affected).toEqual({ getblockcount: 3 });
      expect(() => {
        node.faults.inject({ fault: 'slow', count: 1 });
      }).toThrow(/delayMs/);
    });

    it("'drop' on submitblock: no answer, and the block never reaches the chain", async () => {
      const node = await start();
      const block = mineBlock(node);
      node.faults.inject({ fault: 'drop', count: 1, methods: ['submitblock'] });
      await expect(post(node.rpcUrl, 'submitblock', [block.hex])).rejects.toThrow();
      expect(node.chain.height).toBe(0);
      expect(node.faults.affected).toEqual({ submitblock: 1 });
      expect(rpcError(await post(node.rpcUrl, 'getblockheader', [block.hash]))).toMatchObject({ code: -5 });
    });

    it("'drop-after' on submitblock: no answer, but the block is on the chain, as getblockheader tells", async () => {
      const node = await start();
      const block = mineBlock(node);
      node.faults.inject({ fault: 'drop-after', count: 1, methods: ['submitblock'] });
      await expect(post(node.rpcUrl, 'submitblock', [block.hex])).rejects.toThrow();
      expect(node.chain.tip.hash).toBe(block.hash);
      const header = await post(node.rpcUrl, 'getblockheader', [block.hash]);
      expect(JSON.parse(header.text)).toMatchObject({ result: { height: 1, confirmations: 1 } });
    });

    it("'slow': answered after delayMs, and run even when the client has gone", async () => {
      const node = await start();
      node.faults.inject({ fault: 'slow', count: 2, delayMs: 200, methods: ['submitblock'] });
      const block = mineBlock(node);
      await expect(post(node.rpcUrl, 'submitblock', [block.hex], AbortSignal.timeout(50))).rejects.toThrow();
      expect(node.chain.height).toBe(0);
      await eventually(() => (node.chain.tip.hash === block.hash ? true : undefined), 'the block taken late');

      const next = mineBlock(node);
      const sent = Date.now();
      const answer = await post(node.rpcUrl, 'submitblock', [next.hex]);
      expect(Date.now() - sent).toBeGreaterThanOrEqual(190);
      expect(JSON.parse(answer.text)).toMatchObject({ result: null, error: null });
      expect(node.chain.tip.hash).toBe(next.hash);
    });

    it("a shutdown cuts a 'slow' call's delay short", async () => {
      const node = await start();
      node.faults.inject({ fault: 'slow', count: 1, delayMs: 60_000 });
      const slow = post(node.rpcUrl, 'getblockcount');
      await eventually(() => (node.rpcQueue.running === 1 ? true : undefined), 'the slow call taken');
      const stopping = Date.now();
      await node.stop();
      expect(Date.now() - stopping).toBeLessThan(1_000);
      expect(JSON.parse((await slow).text)).toMatchObject({ result: 0 });
    });
  });
});
