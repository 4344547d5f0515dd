/**
 * DeclareMiningJob checks on a devchain template (made-up segwit transactions with fees),
 * with declarations built by the test Job Declarator Client: each refusal names the field
 * and says why; unknown transactions are asked for by position.
 */
import { Transaction } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { DevChain } from '../../dev/devchain/chain.ts';
import { randomTransaction } from '../../dev/devchain/mempool.ts';
import { prepareTemplate } from '../../work/template.ts';
import {
  declaration,
  declareMiningJob,
  type ClientTemplate,
  type Declaration,
} from '../../../test/helpers/sv2-job-declarator.ts';
import { checkDeclaration, describeTransaction, type DeclarationContext } from './declare-job.ts';
import { JobDeclarations } from './job-declarations.ts';

const POOL_SCRIPT = Buffer.concat([Buffer.from([0x00, 0x14]), Buffer.alloc(20, 0x11)]);
const OTHER_SCRIPT = Buffer.concat([Buffer.from([0x00, 0x14]), Buffer.alloc(20, 0x22)]);
const EXTRANONCE_SIZE = 12;
const TOKEN = Buffer.alloc(16, 1);

function setting(): { raw: ClientTemplate; context: DeclarationContext } {
  const chain = new DevChain({
    bits: 0x207fffff,
    halvingInterval: 150,
    mempoolSize: 6,
    now: () => 1_800_000_000,
  });
  const result = chain.blockTemplate();
  const template = prepareTemplate(result);
  const book = new JobDeclarations({
    poolScript: POOL_SCRIPT,
    extranonceSize: EXTRANONCE_SIZE,
    tokenLifetimeMs: 60_000,
    now: () => 0,
    coinbaseOnly: false,
  });
  return {
    // The devchain answers in getblocktemplate's shape; the client reads the fields it names.
    raw: result as unknown as ClientTemplate,
    context: {
      template,
      poolScript: POOL_SCRIPT,
      extranonceSize: EXTRANONCE_SIZE,
      known: book.knownTransactions(template),
    },
  };
}

function withOutputs(declared: Declaration, outputs: Declaration['outputs']): Declaration {
  return { ...declared, outputs };
}

describe('checkDeclaration', () => {
  it("accepts the node's template paying the pool the subsidy and every fee", () => {
    const { raw, context } = setting();
    const outcome = checkDeclaration(
      declareMiningJob(declaration(raw, POOL_SCRIPT, EXTRANONCE_SIZE), TOKEN, 1),
      context,
    );
    expect(outcome).toMatchObject({ kind: 'declared', job: { mode: 'full-template' } });
    if (outcome.kind === 'declared' && outcome.job.mode === 'full-template') {
      expect(outcome.job.poolValue).toBe(BigInt(raw.coinbasevalue));
      expect(outcome.job.transactions).toHaveLength(raw.transactions.length);
      expect(outcome.job.coinbase.witnessCommitment).toBeDefined();
    }
  });

  it('refuses a coinbase that pays someone else, too little, or more than there is', () => {
    const { raw, context } = setting();
    const declared = declaration(raw, POOL_SCRIPT, EXTRANONCE_SIZE);
    const [pool, commitment] = declared.outputs;
    if (!pool || !commitment) {
      throw new Error('the declaration has a pool output and a commitment');
    }
    const cases: readonly [Declaration['outputs'], RegExp][] = [
      [[{ ...pool, script: OTHER_SCRIPT }, commitment], /not the pool's carries/],
      [[{ ...pool, script: OTHER_SCRIPT, value: 0n }, commitment], /no output to the pool/],
      [
        [{ ...pool, value: pool.value - 1000n }, { script: OTHER_SCRIPT, value: 1000n }, commitment],
        /not the pool's carries 1000/,
      ],
      [[{ ...pool, value: pool.value - 1n }, commitment], /the pool's output gets/],
      [[{ ...pool, value: pool.value + 1n }, commitment], /above the subsidy and fees/],
    ];
    for (const [outputs, details] of cases) {
      const outcome = checkDeclaration(declareMiningJob(withOutputs(declared, outputs), TOKEN, 1), context);
      expect(outcome).toMatchObject({ kind: 'refused', code: 'invalid-job-param-value-coinbase_tx_suffix' });
      expect(outcome.kind === 'refused' && outcome.details).toMatch(details);
    }
  });

  it('refuses a version outside BIP320 bits, a listed-twice transaction, a wrong height and a bad commitment', () => {
    const { raw, context } = setting();
    const declared = declaration(raw, POOL_SCRIPT, EXTRANONCE_SIZE);
    const message = declareMiningJob(declared, TOKEN, 1);
    expect(checkDeclaration({ ...message, version: message.version | 1 }, context)).toMatchObject({
      code: 'invalid-job-param-value-version',
    });
    // Rolling BIP320's bits is the miner's right.
    expect(checkDeclaration({ ...message, version: message.version | 0x2000 }, context).kind).toBe(
      'declared',
    );
    const first = message.wtxid_list[0] ?? Buffer.alloc(32);
    expect(
      checkDeclaration({ ...message, wtxid_list: [first, ...message.wtxid_list] }, context),
    ).toMatchObject({
      code: 'invalid-job-param-value-wtxid_list',
    });
    const wrongHeight = declareMiningJob(
      declaration({ ...raw, height: raw.height + 1 }, POOL_SCRIPT, EXTRANONCE_SIZE),
      TOKEN,
      1,
    );
    const refusedHeight = checkDeclaration(wrongHeight, context);
    expect(refusedHeight).toMatchObject({ code: 'invalid-job-param-value-coinbase_tx_prefix' });
    expect(refusedHeight.kind === 'refused' && refusedHeight.details).toMatch(/BIP34/);
    const [pool] = declared.outputs;
    const wrongCommitment = {
      script: Buffer.concat([Buffer.from('6a24aa21a9ed', 'hex'), Buffer.alloc(32)]),
      value: 0n,
    };
    const badCommitment = checkDeclaration(
      declareMiningJob(withOutputs(declared, pool ? [pool, wrongCommitment] : []), TOKEN, 1),
      context,
    );
    expect(badCommitment.kind === 'refused' && badCommitment.details).toMatch(
      /witness commitment does not match/,
    );
  });

  it('asks for transactions by position, and takes them once provided', () => {
    const { raw, context } = setting();
    const unseen = randomTransaction().raw;
    const message = declareMiningJob(declaration(raw, POOL_SCRIPT, EXTRANONCE_SIZE, [unseen]), TOKEN, 1);
    expect(checkDeclaration(message, context)).toEqual({
      kind: 'missing',
      positions: [raw.transactions.length],
    });
    const described = describeTransaction(unseen);
    if (typeof described === 'string') {
      throw new Error(described);
    }
    // Hashed apart from the library that serialized it: the txid without the witness, the wtxid with it.
    const parsed = Transaction.fromBuffer(unseen);
    expect(described.txid).toEqual(Buffer.from(parsed.getHash()));
    expect(described.wtxid).toEqual(Buffer.from(parsed.getHash(true)));
    expect(described.txid.equals(described.wtxid)).toBe(false);
    const outcome = checkDeclaration(message, context, new Map([[raw.transactions.length, described]]));
    expect(outcome.kind).toBe('declared');
    expect(describeTransaction(Buffer.from('00', 'hex'))).toMatch(/not a transaction/);
  });

  it('refuses a block over its weight limit', () => {
    const { raw, context } = setting();
    const message = declareMiningJob(declaration(raw, POOL_SCRIPT, EXTRANONCE_SIZE), TOKEN, 1);
    const outcome = checkDeclaration(message, {
      ...context,
      template: { ...context.template, weightLimit: 1000 },
    });
    expect(outcome).toMatchObject({ code: 'invalid-job-param-value-wtxid_list' });
    expect(outcome.kind === 'refused' && outcome.details).toMatch(/weigh/);
  });
});
