import { describe, expect, it } from 'vitest';
import { assembleBlock } from '../../work/block.ts';
import { buildCoinbase } from '../../work/coinbase.ts';
import { HEADER_SIZE, writeHeader } from '../../work/header.ts';
import { createJob, type Job } from '../../work/job.ts';
import { foldMerkleBranch, merkleBranch } from '../../work/merkle.ts';
import { sha256d } from '../../work/sha256d.ts';
import { decodeCompact, hashMeetsTarget, targetToBytesLE } from '../../work/target.ts';
import { prepareTemplate, type PreparedTemplate } from '../../work/template.ts';
import { DevChain, SubmitDecodeError } from './chain.ts';
import { randomTransaction } from './mempool.ts';

const NOW = 1_800_000_000;
const PAYOUT = Buffer.from('0014274466e754a1c12d0a2d2cc34ceb70d8e017053a', 'hex');
/** Regtest's easiest target: half of all hashes meet it, so blocks are found in a few tries. */
const EASY = 0x207fffff;

function newChain(bits = EASY): DevChain {
  return new DevChain({ bits, halvingInterval: 150, mempoolSize: 4, now: () => NOW });
}

interface Changes {
  readonly template?: (template: PreparedTemplate) => PreparedTemplate;
  readonly coinb2?: (coinb2: Buffer) => Buffer;
  readonly witness?: boolean;
  readonly version?: number;
  readonly ntime?: number;
  readonly bits?: number;
  readonly prevhash?: Buffer;
  /** Skip the proof-of-work search. */
  readonly unmined?: boolean;
  /** The devchain's difficulty, when not the easiest. */
  readonly chainBits?: number;
}

/** A block built the way the pool builds one, with `changes` applied, mined against its bits. */
function block(chain: DevChain, changes: Changes = {}): Buffer {
  const prepared = prepareTemplate(chain.blockTemplate());
  const template = changes.template ? changes.template(prepared) : prepared;
  const coinbase = buildCoinbase(template, {
    poolTag: Buffer.from('/test/'),
    extranonce2Size: 4,
    payouts: [{ script: PAYOUT, weight: 1 }],
  });
  const coinb2 = changes.coinb2 ? changes.coinb2(coinbase.coinb2) : coinbase.coinb2;
  const job: Job = createJob(
    't',
    template,
    { ...coinbase, coinb2, witness: changes.witness ?? coinbase.witness },
    true,
  );
  const extranonce1 = Buffer.from('00000001', 'hex');
  const extranonce2 = Buffer.from('00000002', 'hex');
  const txid = sha256d(Buffer.concat([coinbase.coinb1, extranonce1, extranonce2, coinb2]));
  const bits = changes.bits ?? template.bits;
  const header = Buffer.alloc(HEADER_SIZE);
  const target = targetToBytesLE(decodeCompact(bits).target);
  for (let nonce = 0; ; nonce++) {
    writeHeader(header, {
      version: changes.version ?? template.version,
      prevhashInternal: changes.prevhash ?? template.prevhashInternal,
      merkleRootInternal: foldMerkleBranch(txid, template.merkleBranch),
      ntime: changes.ntime ?? template.curtime,
      bits,
      nonce,
    });
    if (changes.unmined === true || hashMeetsTarget(sha256d(header), target)) {
      return assembleBlock(job, extranonce1, extranonce2, header);
    }
  }
}

describe('devchain', () => {
  it('starts from the regtest genesis block and pays 50 BTC, halving every 150 blocks', () => {
    const chain = newChain();
    expect(chain.tip.hash).toBe('0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206');
    expect(chain.subsidy(1)).toBe(5_000_000_000n);
    expect(chain.subsidy(150)).toBe(2_500_000_000n);
    expect(chain.subsidy(150 * 64)).toBe(0n);
  });

  it('offers a template Bitcoin Core would: segwit rules, fees in coinbasevalue, a witness commitment', () => {
    const template = newChain().blockTemplate();
    expect(template).toMatchObject({
      rules: ['csv', '!segwit', 'taproot'],
      height: 1,
      bits: '207fffff',
      version: 0x20000000,
    });
    const transactions = template.transactions as { fee: number }[];
    expect(transactions).toHaveLength(4);
    expect(template.coinbasevalue).toBe(5_000_000_000 + transactions.reduce((sum, tx) => sum + tx.fee, 0));
    expect(prepareTemplate(template).witnessCommitment).toBeDefined();
  });

  it('accepts a valid block, takes its transactions out of the mempool and moves the tip', () => {
    const chain = newChain();
    const raw = block(chain);
    expect(chain.submitBlock(raw)).toBeNull();
    expect(chain.height).toBe(1);
    expect(chain.tip.hash).toBe(sha256d(raw.subarray(0, 80)).reverse().toString('hex'));
    expect(chain.submitBlock(raw)).toBe('duplicate');
    expect(chain.refillMempool()).toBe(4);
  });

  it.each<[string, Changes]>([
    ['high-hash', { unmined: true, chainBits: 0x1d00ffff }],
    ['bad-diffbits', { bits: 0x207ffffe }],
    ['time-too-old', { ntime: 1296688602 }],
    ['time-too-new', { ntime: NOW + 7201 }],
    ['bad-version(0x00000001)', { version: 1 }],
    ['bad-cb-height', { template: (t) => ({ ...t, height: t.height + 1 }) }],
    ['bad-cb-amount', { template: (t) => ({ ...t, coinbaseValue: t.coinbaseValue + 1n }) }],
    [
      'bad-witness-merkle-match',
      {
        template: (t) => ({
          ...t,
          witnessCommitment: Buffer.concat([Buffer.from('6a24aa21a9ed', 'hex'), Buffer.alloc(32, 7)]),
        }),
      },
    ],
    ['bad-witness-nonce-size', { witness: false }],
    [
      'bad-txns-inputs-missingorspent',
      {
        template: (t) => {
          const stranger = randomTransaction();
          return {
            ...t,
            transactions: [stranger.raw],
            merkleBranch: merkleBranch([Buffer.from(stranger.txid, 'hex').reverse()]),
          };
        },
      },
    ],
    [
      'bad-txnmrklroot',
      {
        template: (t) => ({ ...t, merkleBranch: t.merkleBranch.map((hash) => Buffer.from(hash).reverse()) }),
      },
    ],
    [
      'bad-txns-nonfinal',
      { coinb2: (coinb2) => Buffer.concat([coinb2.subarray(0, -4), Buffer.from([0x01, 0x00, 0x00, 0x00])]) },
    ],
    ['prev-blk-not-found', { prevhash: Buffer.alloc(32, 9) }],
  ])('refuses a block as Bitcoin Core would: %s', (reason, changes) => {
    const chain = newChain(changes.chainBits);
    expect(chain.submitBlock(block(chain, changes))).toBe(reason);
    expect(chain.height).toBe(0);
  });

  it('calls a valid block on an old tip inconclusive and does not reorganize', () => {
    const chain = newChain();
    const early = block(chain);
    chain.addNetworkBlock();
    expect(chain.submitBlock(early)).toBe('inconclusive');
    expect(chain.height).toBe(1);
  });

  it('throws a decode error for bytes that are not a block', () => {
    const chain = newChain();
    expect(() => chain.submitBlock(Buffer.from('00', 'hex'))).toThrow(SubmitDecodeError);
    const header = chain.tip.header;
    const onTip = Buffer.from(header);
    Buffer.from(chain.tip.hash, 'hex').reverse().copy(onTip, 4);
    expect(() => chain.submitBlock(Buffer.concat([onTip, Buffer.from([0x05, 0x01])]))).toThrow(
      SubmitDecodeError,
    );
  });

  it('network blocks move the tip and wake long polls', async () => {
    const chain = newChain();
    const waiting = chain.waitForChange(chain.longpollId, 5_000);
    const hash = chain.addNetworkBlock();
    await waiting;
    expect(chain.tip.hash).toBe(hash);
    expect(chain.blockAt(1)?.txids).toHaveLength(5);
  });
});
