/** What the Stratum thread and the thread that made it (its host) tell each other, besides templates and handoffs. */
import type { JournalState } from '../api/pool-facts.ts';
import type { RpcAuth } from '../chain/rpc-client.ts';
import type { TemplateChannel } from '../chain/template-relay.ts';
import type { Config } from '../config.ts';
import type { ChannelPort } from '../ledger/storage-channel.ts';
import type { StratumCounters, StratumVitals } from './stratum-vitals.ts';

/** What the Stratum thread starts with (workerData). */
export interface StratumThreadData {
  /** The module the thread loader imports: stratum-thread-entry, as this process runs it (.ts or .js). */
  readonly entry: string;
  /** The pool's configuration, the pool's payout address filled in. */
  readonly config: Config;
  readonly node: { readonly rpcUrl: string; readonly auth: RpcAuth; readonly zmqUrl: string | undefined };
  readonly accounts: readonly string[];
  readonly logLevel: string;
}

/** From the host. */
export type HostMessage =
  | { readonly kind: 'vitals'; readonly request: number }
  | { readonly kind: 'counters'; readonly request: number }
  | { readonly kind: 'accounts'; readonly request: number; readonly names: readonly string[] }
  | { readonly kind: 'stop' };

/** From the Stratum thread. */
export type ThreadMessage =
  | {
      readonly kind: 'ready';
      readonly port: number;
      readonly tlsPort: number | undefined;
      readonly soloPort: number | undefined;
      readonly sv2Port: number | undefined;
      readonly jdsPort: number | undefined;
    }
  | { readonly kind: 'failed'; readonly problem: string }
  | { readonly kind: 'journal'; readonly journal: JournalState }
  | { readonly kind: 'log'; readonly line: string }
  | { readonly kind: 'vitals'; readonly request: number; readonly vitals: StratumVitals }
  | { readonly kind: 'counters'; readonly request: number; readonly counters: StratumCounters }
  | { readonly kind: 'accounts'; readonly request: number };

/** A port as the template relay sees it. */
export function portChannel(port: ChannelPort): TemplateChannel {
  return {
    send(message) {
      port.postMessage(message);
    },
    listen(handler) {
      port.on('message', handler);
      return () => {
        port.off('message', handler);
      };
    },
  };
}
