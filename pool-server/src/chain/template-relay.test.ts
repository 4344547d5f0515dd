import { describe, expect, it } from 'vitest';
import type { PreparedTemplate } from '../work/template.ts';
import { DevChain } from '../dev/devchain/chain.ts';
import {
  RelayedTemplateSource,
  TemplateRelay,
  type TemplateChannel,
  type TemplateMessage,
} from './template-relay.ts';
import type { RawTemplate, TemplateFeed, TemplateListener } from './template-source.ts';

/** Two ends of an in-memory IPC channel; messages pass through JSON, as over a real one. */
function channelPair(): [TemplateChannel, TemplateChannel] {
  const handlers: [Set<(message: unknown) => void>, Set<(message: unknown) => void>] = [new Set(), new Set()];
  const end = (mine: 0 | 1): TemplateChannel => ({
    send(message: TemplateMessage) {
      const copy: unknown = JSON.parse(JSON.stringify(message));
      for (const handler of handlers[mine === 0 ? 1 : 0]) {
        handler(copy);
      }
    },
    listen(handler) {
      handlers[mine].add(handler);
      return () => handlers[mine].delete(handler);
    },
  });
  return [end(0), end(1)];
}

/** The host's source, driven by the test. */
class DrivenSource implements TemplateFeed {
  readonly #listeners: TemplateListener[] = [];
  onTemplate(listener: TemplateListener): void {
    this.#listeners.push(listener);
  }
  start(): Promise<PreparedTemplate> {
    return Promise.reject(new Error('not used'));
  }
  stop(): void {
    this.#listeners.length = 0;
  }
  emit(raw: RawTemplate, newBlock: boolean): void {
    for (const listener of this.#listeners) {
      listener({} as PreparedTemplate, newBlock, raw);
    }
  }
}

describe('template relay', () => {
  const chain = new DevChain({
    bits: 0x207fffff,
    halvingInterval: 150,
    mempoolSize: 3,
    now: () => 1_800_000_000,
  });

  it("sends a Stratum process its host's current template when it asks, then every new one", async () => {
    const source = new DrivenSource();
    const relay = new TemplateRelay(source);
    source.emit(chain.blockTemplate(), true);
    chain.refillMempool();
    source.emit(chain.blockTemplate(), false);

    const [primary, worker] = channelPair();
    relay.serve(primary);
    const relayed = new RelayedTemplateSource(worker, (problem) => {
      throw problem;
    });
    const seen: { height: number; newBlock: boolean; transactions: number }[] = [];
    relayed.onTemplate((template, newBlock) => {
      seen.push({ height: template.height, newBlock, transactions: template.transactions.length });
    });
    const first = await relayed.start();
    // The host's latest template, as the start of this process's first block.
    expect(first.height).toBe(1);
    expect(seen).toEqual([{ height: 1, newBlock: true, transactions: 3 }]);

    chain.addNetworkBlock();
    source.emit(chain.blockTemplate(), true);
    chain.refillMempool();
    source.emit(chain.blockTemplate(), false);
    expect(seen.slice(1)).toEqual([
      { height: 2, newBlock: true, transactions: 0 },
      { height: 2, newBlock: false, transactions: 3 },
    ]);
    expect(relayed.current?.height).toBe(2);
  });

  it('a template that cannot be prepared is reported and the current one stays', async () => {
    const source = new DrivenSource();
    const relay = new TemplateRelay(source);
    const [primary, worker] = channelPair();
    const unserve = relay.serve(primary);
    const problems: unknown[] = [];
    const relayed = new RelayedTemplateSource(worker, (problem) => problems.push(problem));
    const starting = relayed.start();
    source.emit({ previousblockhash: 'nonsense' }, true);
    expect(problems).toHaveLength(1);
    source.emit(chain.blockTemplate(), true);
    const first = await starting;
    source.emit({ previousblockhash: 'nonsense' }, true);
    expect(problems).toHaveLength(2);
    expect(relayed.current).toBe(first);
    // A process that is gone is sent nothing more.
    unserve();
    chain.addNetworkBlock();
    source.emit(chain.blockTemplate(), true);
    expect(relayed.current).toBe(first);
  });
});
