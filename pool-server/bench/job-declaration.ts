/**
 * Job Declaration benchmark: what a declared job costs the Stratum thread, which runs the
 * Job Declaration Server. A devchain template of BENCH_JD_TRANSACTIONS made-up segwit
 * transactions (3,000; 300 with BENCH_QUICK=1) is indexed by wtxid once per template (the
 * first declaration after a new block pays it), then declarations of the whole template are
 * checked (coinbase, payouts, every wtxid looked up, witness commitment, weight and sigops).
 * The floor: one bare crypto.hash sha256d of every transaction's bytes, the least any check
 * of the list does. Run: pnpm bench (records bench-results/job-declaration.json).
 */
import { hash } from 'node:crypto';
import { DevChain } from '../src/dev/devchain/chain.ts';
import { checkDeclaration, type DeclarationContext } from '../src/stratum/v2/declare-job.ts';
import { JobDeclarations } from '../src/stratum/v2/job-declarations.ts';
import { prepareTemplate } from '../src/work/template.ts';
import { declaration, declareMiningJob, type ClientTemplate } from '../test/helpers/sv2-job-declarator.ts';
import { ratio, startBench } from '../../scripts/bench-record.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const TRANSACTIONS = Number(process.env.BENCH_JD_TRANSACTIONS ?? (QUICK ? 300 : 3_000));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 3 : 9));
const POOL_SCRIPT = Buffer.concat([Buffer.from([0x00, 0x14]), Buffer.alloc(20, 0x11)]);
const EXTRANONCE_SIZE = 12;
/** Only the template index is measured: no token is made, so the clock never runs. */
const BOOK = {
  poolScript: POOL_SCRIPT,
  extranonceSize: EXTRANONCE_SIZE,
  tokenLifetimeMs: 60_000,
  now: () => 0,
  coinbaseOnly: false,
};

const bench = startBench({
  id: 'job-declaration',
  title: 'Stratum V2 Job Declaration',
  about: `What a declared job costs the Stratum thread, which runs the Job Declaration Server: a devchain template of ${String(TRANSACTIONS)} made-up segwit transactions indexed by wtxid (once per template: the first DeclareMiningJob after a new block pays it), then a DeclareMiningJob of the whole template checked (the coinbase parsed, the pool's payout, every wtxid looked up, the witness commitment, weight and sigops). Each figure is the median of the runs, in milliseconds of one core; the floor hashes every transaction's bytes once with a bare crypto.hash sha256d, the least a check of the list does.`,
  command: 'pnpm --filter @hashwatt/pool-server exec tsx bench/job-declaration.ts',
  conditions: {
    'transactions in the template (BENCH_JD_TRANSACTIONS)': TRANSACTIONS,
    'runs, median taken (BENCH_RUNS), after one warm-up run': RUNS,
  },
});

const chain = new DevChain({
  bits: 0x207fffff,
  halvingInterval: 150,
  mempoolSize: TRANSACTIONS,
  now: () => Math.floor(Date.now() / 1000),
});
const raw = chain.blockTemplate();
// The devchain answers in getblocktemplate's shape; the client reads the fields it names.
const clientTemplate = raw as unknown as ClientTemplate;
const message = declareMiningJob(
  declaration(clientTemplate, POOL_SCRIPT, EXTRANONCE_SIZE),
  Buffer.alloc(16),
  1,
);
const transactions = clientTemplate.transactions.map((tx) => Buffer.from(tx.data, 'hex'));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timed(run: () => void): number {
  run();
  const times: number[] = [];
  for (let index = 0; index < RUNS; index++) {
    const started = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return median(times);
}

function context(book: JobDeclarations): DeclarationContext {
  // A fresh template object each time: the book indexes it as a new block's.
  const template = prepareTemplate(raw);
  return {
    template,
    poolScript: POOL_SCRIPT,
    extranonceSize: EXTRANONCE_SIZE,
    known: book.knownTransactions(template),
  };
}

const indexMs = timed(() => {
  context(new JobDeclarations(BOOK));
});
const prepareMs = timed(() => {
  prepareTemplate(raw);
});
const checking = context(new JobDeclarations(BOOK));
let declared = 0;
const checkMs = timed(() => {
  if (checkDeclaration(message, checking).kind === 'declared') {
    declared++;
  }
});
if (declared !== RUNS + 1) {
  throw new Error('a declaration of the whole template was refused');
}
const floorMs = timed(() => {
  for (const tx of transactions) {
    hash('sha256', hash('sha256', tx, 'buffer'), 'buffer');
  }
});

bench.finish({
  columns: ['case', 'ms (median)', '÷ floor'],
  rows: [
    {
      cells: [
        `index a new template's ${String(TRANSACTIONS)} transactions by wtxid (less the template's preparation, which the pool does anyway)`,
        (indexMs - prepareMs).toFixed(2),
        ratio(indexMs - prepareMs, floorMs),
      ],
    },
    {
      cells: [
        `check a DeclareMiningJob of all ${String(TRANSACTIONS)} transactions`,
        checkMs.toFixed(2),
        ratio(checkMs, floorMs),
      ],
    },
    {
      cells: [
        `one bare sha256d of each of the ${String(TRANSACTIONS)} transactions`,
        floorMs.toFixed(2),
        '1.00×',
      ],
      floor: true,
    },
  ],
});
