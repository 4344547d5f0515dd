/**
 * Miners in a separate process, for loads one process cannot hold (every process here
 * is capped at 20,000 open files). Forked by stratum-load.ts; commands over IPC.
 */
import { connectMany, watchCleanJobs, type Miner } from './stratum-miner.ts';

type Command =
  | {
      readonly kind: 'connect';
      readonly port: number;
      readonly count: number;
      readonly offset: number;
      readonly difficulty: number;
    }
  | { readonly kind: 'watch' }
  | { readonly kind: 'arrivals' }
  | { readonly kind: 'close' };

let miners: Miner[] = [];
const arrivals: number[] = [];
/** CPU time when the watch began: what the miners cost is taken from the pool's cores. */
let watchStarted = process.cpuUsage();

process.on('message', (command: Command) => {
  switch (command.kind) {
    case 'connect':
      void connectMany(command.port, command.count, command.difficulty, command.offset).then((connected) => {
        miners = connected;
        process.send?.({ kind: 'connected', count: miners.length });
      });
      break;
    case 'watch':
      // The handshakes' garbage is collected now, not while the miners should be reading.
      gc?.();
      arrivals.length = 0;
      watchCleanJobs(miners, arrivals);
      watchStarted = process.cpuUsage();
      process.send?.({ kind: 'watching' });
      break;
    case 'arrivals': {
      const { user, system } = process.cpuUsage(watchStarted);
      process.send?.({ kind: 'arrivals', arrivals, cpuMs: (user + system) / 1000 });
      break;
    }
    case 'close':
      for (const miner of miners) {
        miner.socket.destroy();
      }
      process.exit(0);
  }
});
process.send?.({ kind: 'ready' });
