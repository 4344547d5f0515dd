/**
 * A forked Stratum process (stratum.processes > 1), as it sees its primary: templates
 * and the named accounts come from it, sealed batches and found blocks go to it to be
 * stored (without NATS), journal health and readiness go to it, and it says when to stop.
 */
import type { Logger } from 'pino';
import type { JournalState } from '../api/pool-facts.ts';
import type { TemplateChannel } from '../chain/template-relay.ts';
import type { RegisteredAccountList } from '../ledger/registered-accounts.ts';
import type { ChannelPort } from '../ledger/storage-channel.ts';
import type { RunningPool } from './parts.ts';
import type { StratumCounters } from './stratum-vitals.ts';

/** What a Stratum process and its primary tell each other, besides templates. */
export interface WorkerMessage {
  /** 'accounts': from a process, a request for the list; from the primary, the list. 'counters': likewise, for its Stratum counters. */
  readonly kind: 'ready' | 'stop' | 'journal' | 'accounts' | 'counters';
  readonly names?: readonly string[];
  /** kind journal: a journal of the process changed health (or starts out). */
  readonly journal?: JournalState;
  /** kind counters, from a process: its Stratum counters, for the primary's metrics listener. */
  readonly counters?: StratumCounters | undefined;
  readonly port?: number;
  readonly tlsPort?: number | undefined;
  readonly soloPort?: number | undefined;
  readonly sv2Port?: number | undefined;
  readonly jdsPort?: number | undefined;
}

/** The IPC channel of a forked Stratum process to its primary, as that process sees it. */
export function primaryChannel(): TemplateChannel {
  return {
    send(message) {
      process.send?.(message);
    },
    listen(handler) {
      process.on('message', handler);
      return () => process.off('message', handler);
    },
  };
}

/** The IPC channel to the primary as the storage channel sees it (advanced serialization: typed arrays and bigints cross). */
export function primaryPort(): ChannelPort {
  return {
    postMessage(value) {
      process.send?.(value);
    },
    on(event, listener) {
      return process.on(event, listener);
    },
    off(event, listener) {
      return process.off(event, listener);
    },
  };
}

/**
 * Keeps `list` as the primary sends it, every time it changes; resolves once the first
 * list has come, so that no named account is refused for arriving before it.
 */
export function accountsFromPrimary(list: RegisteredAccountList): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (message: WorkerMessage) => {
      if (message.kind === 'accounts' && message.names) {
        list.replace(message.names);
        resolve();
      }
    });
    process.send?.({ kind: 'accounts' } satisfies WorkerMessage);
  });
}

/** A forked Stratum process's journals are reported on its primary's /api/health. */
export function reportJournalToPrimary(state: JournalState): void {
  process.send?.({ kind: 'journal', journal: state } satisfies WorkerMessage);
}

/** A message to a primary that is gone fails as an 'error' on process; 'disconnect' stops this one. */
export function watchPrimary(log: Logger): void {
  process.on('error', (error: Error) => {
    log.warn({ problem: error.message }, 'pool: the primary process cannot be reached');
  });
}

/** Tells the primary the pool is ready, answers its questions, and stops when the primary says so or is gone. */
export function serveForPrimary(pool: RunningPool): void {
  process.send?.({
    kind: 'ready',
    port: pool.stratumPort,
    tlsPort: pool.tlsPort,
    soloPort: pool.soloPort,
    sv2Port: pool.sv2Port,
    jdsPort: pool.jdsPort,
  } satisfies WorkerMessage);
  const stop = (): void => {
    void pool.stop().then(() => process.exit(0));
  };
  process.on('message', (message: WorkerMessage) => {
    if (message.kind === 'stop') {
      stop();
    } else if (message.kind === 'counters') {
      void pool.stratumCounters().then((counters) => {
        process.send?.({ kind: 'counters', counters } satisfies WorkerMessage);
      });
    }
  });
  process.on('disconnect', stop);
  // Ctrl-C reaches every process of the group: the primary coordinates the stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
}
