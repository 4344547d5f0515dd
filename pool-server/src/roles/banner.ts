/**
 * What `hashwatt pool` prints once it runs: its addresses and, when the configuration
 * asks for it, the demo farm it starts and the demo's sign-ins.
 */
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { DemoFarm } from '../dev/demo/demo-farm.ts';
import type { RunningPool } from './parts.ts';

/**
 * The demo farm, when the configuration asks for it (by default: with the devchain and
 * the embedded database, which is to say `pnpm start` with no configuration), and what
 * to open: the addresses and the demo's sign-ins, on standard output.
 */
export async function startDemo(
  config: Config,
  pool: RunningPool,
  log: Logger,
): Promise<DemoFarm | undefined> {
  const wanted =
    config.demo.enabled === 'on' ||
    (config.demo.enabled === 'auto' && config.node.rpcUrl === undefined && config.database.url === undefined);
  const apiHost = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host;
  const apiUrl = pool.apiPort === undefined ? undefined : `http://${apiHost}:${String(pool.apiPort)}`;
  const lines = [
    '',
    'hashwatt is running',
    `  roles              ${config.roles.join(', ')}${config.nats.url === undefined ? '' : `; ledger through NATS ${config.nats.url}`}`,
    `  dashboard and API  ${apiUrl === undefined ? 'off (no api role, or api.enabled is false)' : `${apiUrl}/   (API docs: ${apiUrl}/api/docs)`}`,
    `  Stratum            ${pool.stratumPort === 0 ? 'off (no stratum role)' : `stratum+tcp://<this machine>:${String(pool.stratumPort)}   username <${config.chain} address or registered account>.<worker>`}`,
  ];
  let demo: DemoFarm | undefined;
  // The demo needs the whole pool in this process: miners, the database, the API.
  if (wanted && apiUrl !== undefined && pool.db !== undefined && pool.stratumPort !== 0) {
    try {
      const { DEMO_ACCOUNT, startDemoFarm } = await import('../dev/demo/demo-farm.ts');
      await pool.registerAccount(DEMO_ACCOUNT);
      demo = await startDemoFarm(
        pool.db,
        {
          apiUrl,
          stratumPort: pool.stratumPort,
          stratumUrl: `stratum+tcp://127.0.0.1:${String(pool.stratumPort)}`,
        },
        {
          rigs: config.demo.rigs,
          hashesPerSecond: config.demo.hashesPerSecond,
          shareDifficulty: config.demo.shareDifficulty,
          dataDir: config.dataDir,
        },
        log,
      );
      lines.push(
        `  demo farm          ${String(config.demo.rigs)} CPU miners behind emulated Antminers, an emulated meter, the farm agent`,
        `  demo operator      ${demo.operator.email}   password ${demo.operator.password}`,
        // Regulators must sign in with a second factor: the dashboard sets it up at the first sign-in.
        `  demo regulator     ${demo.regulator.email}   password ${demo.regulator.password}   (sets up two-factor sign-in with an authenticator app at the first sign-in)`,
      );
    } catch (error) {
      log.error({ err: error }, 'demo: the demo farm did not start; the pool runs without it');
    }
  }
  process.stdout.write(`${[...lines, '  Ctrl-C stops it.', ''].join('\n')}\n`);
  return demo;
}
