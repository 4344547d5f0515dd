/**
 * The Stratum thread's side (stratum-thread.ts starts it): the Stratum role on an event
 * loop of its own, with templates relayed from the thread that made it, and its log,
 * journals' health and vitals sent back there. Its shares and found blocks go back there
 * too, to be stored; with NATS (nats.url) the thread publishes them to the stream and
 * claims its node id on a connection of its own, as a Stratum node on a main thread would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { RelayedTemplateSource } from '../chain/template-relay.ts';
import { RegisteredAccountList } from '../ledger/registered-accounts.ts';
import { LedgerBus } from '../ledger/share-stream.ts';
import { StorageChannel } from '../ledger/storage-channel.ts';
import { rpcClient } from './node.ts';
import { startStratum, type StratumRole } from './stratum-node.ts';
import { channelOutlet, stratumOutlet } from './stratum-outlet.ts';
import {
  portChannel,
  type HostMessage,
  type StratumThreadData,
  type ThreadMessage,
} from './stratum-thread-messages.ts';
import { VitalsRecorder } from './stratum-vitals.ts';

if (!parentPort) {
  throw new Error('stratum-thread-entry.ts runs only as a worker thread (see stratum-thread.ts)');
}
const host = parentPort;
const data = workerData as StratumThreadData;
const tell = (message: ThreadMessage): void => {
  host.postMessage(message);
};
// Every line goes to the host's logger, which writes the pool's one log.
// No time, pid or host of its own: the host's logger adds its own.
const log = pino(
  { level: data.logLevel, base: null, timestamp: false },
  {
    write(line: string) {
      tell({ kind: 'log', line });
    },
  },
);
const rpc = rpcClient(data.config, { ...data.node, devnode: undefined });
// One or the other: the host stores what the thread hands it, or NATS takes it.
const { nats } = data.config;
const bus =
  nats.url === undefined
    ? undefined
    : new LedgerBus(
        {
          ...nats,
          url: nats.url,
          name: `hashwatt stratum thread node ${String(data.config.stratum.nodeId)}`,
        },
        log,
      );
const storage = bus ? undefined : new StorageChannel(host);
const accounts = new RegisteredAccountList();
accounts.replace(data.accounts);
const vitals = new VitalsRecorder();

function release(): void {
  storage?.close('the Stratum thread stopped');
  rpc.close();
  vitals.stop();
  // Drained: what was published is flushed to NATS before the port closes and the thread ends.
  void (bus?.close() ?? Promise.resolve())
    .catch((error: unknown) => {
      log.warn({ err: error }, "nats: the Stratum thread's connection did not close cleanly");
    })
    .finally(() => {
      host.close();
    });
}

/** The Stratum role, or undefined when it could not start (the host is told why). */
async function startRole(): Promise<StratumRole | undefined> {
  try {
    return await startStratum(
      data.config,
      {
        rpc,
        templates: new RelayedTemplateSource(portChannel(host), (error) => {
          log.error(
            { err: error },
            'work: a relayed template could not be used; miners keep the current job',
          );
        }),
        outlet: storage
          ? channelOutlet(data.config, storage)
          : stratumOutlet(data.config, { db: undefined, books: undefined, bus }),
        accounts,
        bus,
        reportJournal: (journal) => {
          tell({ kind: 'journal', journal });
        },
        vitals,
      },
      log,
    );
  } catch (error) {
    tell({ kind: 'failed', problem: error instanceof Error ? error.message : String(error) });
    release();
    return undefined;
  }
}

/** Answers the host: vitals, counters, the accounts list, and the stop, after which the thread ends. */
function serve(role: StratumRole): void {
  let stopping: Promise<void> | undefined;
  host.on('message', (message: HostMessage) => {
    switch (message.kind) {
      case 'vitals':
        tell({ kind: 'vitals', request: message.request, vitals: vitals.take() });
        break;
      case 'counters':
        tell({ kind: 'counters', request: message.request, counters: vitals.counters() });
        break;
      case 'accounts':
        accounts.replace(message.names);
        tell({ kind: 'accounts', request: message.request });
        break;
      case 'stop':
        stopping ??= role
          .stop()
          .catch((error: unknown) => {
            log.error({ err: error }, 'pool: the Stratum thread did not stop cleanly');
          })
          .then(() => {
            release();
          });
        break;
      default:
        break;
    }
  });
  tell({
    kind: 'ready',
    port: role.port,
    tlsPort: role.tlsPort,
    soloPort: role.soloPort,
    sv2Port: role.sv2Port,
    jdsPort: role.jdsPort,
  });
}

const role = await startRole();
if (role) {
  serve(role);
}
