/**
 * The pool under load, in its own process so that its CPU and memory are its own:
 * started by stratum-load.ts with an IPC channel. It runs the whole pool on the
 * devchain and answers the load generator's requests for RSS and network blocks.
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config.ts';
import { run } from '../src/main.ts';

interface Request {
  readonly kind: 'rss' | 'network-block' | 'stop';
}

const config = loadConfig({
  HASHWATT_DATA_DIR: process.env.BENCH_DATA_DIR ?? './data/bench',
  HASHWATT_LOG_LEVEL: 'error',
  HASHWATT_STRATUM_HOST: '127.0.0.1',
  HASHWATT_STRATUM_PORT: '0',
  HASHWATT_STRATUM_MAX_CONNECTIONS_PER_ADDRESS: '100000',
  HASHWATT_STRATUM_MIN_DIFFICULTY: '0.000000000001',
  HASHWATT_DEVCHAIN_RPC_PORT: '0',
  HASHWATT_DEVCHAIN_ZMQ_PORT: '0',
  // No share of the load generator may be a block: the chain must not move under it.
  HASHWATT_DEVCHAIN_DIFFICULTY: '1000000',
  HASHWATT_DEVCHAIN_NETWORK_BLOCK_SECONDS: '0',
  HASHWATT_DEVCHAIN_TRANSACTION_SECONDS: '0',
});
const pool = await run(config, pino({ level: config.logLevel }));
const send = (message: unknown): void => {
  process.send?.(message);
};
process.on('message', (request: Request) => {
  switch (request.kind) {
    case 'rss':
      send({ kind: 'rss', rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed });
      break;
    case 'network-block':
      send({ kind: 'network-block', at: performance.timeOrigin + performance.now() });
      pool.devnode?.chain.addNetworkBlock();
      break;
    case 'stop':
      void pool.stop().then(() => process.exit(0));
      break;
  }
});
send({ kind: 'ready', port: pool.stratumPort, pid: process.pid });
