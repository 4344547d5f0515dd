/* eslint-disable max-lines -- one class: blocks, tips, templates and longpolls share its private state; the rules it checks live in validate-block.ts and mempool.ts. */
import { randomBytes } from 'node:crypto';
import { Block } from 'bitcoinjs-lib';
import { encodeVarInt, reverseBytes, u32ToHex } from '../../work/bytes.ts';
import { buildCoinbase } from '../../work/coinbase.ts';
import { HEADER_SIZE, parseHeader, writeHeader } from '../../work/header.ts';
import { assembleBlock } from '../../work/block.ts';
import { createJob } from '../../work/job.ts';
import { foldMerkleBranch } from '../../work/merkle.ts';
import { sha256d } from '../../work/sha256d.ts';
import { decodeCompact, difficultyFromBits } from '../../work/target.ts';
import { prepareTemplate } from '../../work/template.ts';
import { witnessCommitmentScript } from '../../work/witness.ts';
import { randomTransaction, type MempoolTransaction } from './mempool.ts';
import { validateBlock } from './validate-block.ts';

export interface DevChainOptions {
  /** nbits of every block after genesis: the devchain does not retarget. */
  readonly bits: number;
  /** Blocks between subsidy halvings: 150 on regtest. */
  readonly halvingInterval: number;
  /** Transactions kept waiting in the mempool, so templates carry some. */
  readonly mempoolSize: number;
  /** Seconds since the epoch; tests pass their own clock. */
  readonly now: () => number;
  /** Start in initial block download, as a node whose tip is old; false when absent. */
  readonly initialBlockDownload?: boolean;
}

interface StoredBlock {
  readonly hash: string;
  readonly height: number;
  readonly header: Buffer;
  readonly raw: Buffer;
  readonly txids: readonly string[];
  readonly weight: number;
  readonly time: number;
  readonly mainChain: boolean;
}

/** [regtest chainparams] Bitcoin's genesis coinbase, in the regtest genesis block (time 1296688602, nonce 2). */
const GENESIS_COINBASE = Buffer.from(
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000',
  'hex',
);
const REGTEST_GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
const COIN = 100_000_000n;
/** [Bitcoin Core src/validation.h: DEFAULT_MAX_TIP_AGE] a tip older than this (seconds) means still syncing. */
const MAX_TIP_AGE = 24 * 60 * 60;
const MAX_TEMPLATE_WEIGHT = 3_996_000;
/** The network's own coinbase pays a P2WSH of OP_TRUE: nobody's money. */
const NETWORK_PAYOUT = Buffer.concat([
  Buffer.from([0x00, 0x20]),
  sha256d(Buffer.from([0x51])).subarray(0, 32),
]);

export class SubmitDecodeError extends Error {}

function displayHash(header: Buffer): string {
  return reverseBytes(sha256d(header)).toString('hex');
}

/**
 * A regtest-like chain in memory: it builds templates from a mempool of made-up
 * transactions, validates submitted blocks as Bitcoin Core would, and can add blocks
 * "from the network" so that pools see stale work. For `pnpm start` and tests only.
 */
export class DevChain {
  readonly #options: DevChainOptions;
  readonly #chain: StoredBlock[] = [];
  readonly #byHash = new Map<string, StoredBlock>();
  readonly #mempool = new Map<string, MempoolTransaction>();
  /** Fees of mined transactions and the height that mined them: a side branch may hold them too. */
  readonly #minedFees = new Map<string, { fee: number; height: number }>();
  /** Bumped whenever the template changes (new block or new transactions): part of longpollid. */
  #updates = 0;
  #waiters: (() => void)[] = [];
  readonly #blockListeners: ((hash: string) => void)[] = [];
  #finishedInitialDownload: boolean;

  constructor(options: DevChainOptions) {
    this.#options = options;
    this.#finishedInitialDownload = options.initialBlockDownload !== true;
    const header = writeHeader(Buffer.alloc(HEADER_SIZE), {
      version: 1,
      prevhashInternal: Buffer.alloc(32),
      merkleRootInternal: sha256d(GENESIS_COINBASE),
      ntime: 1296688602,
      bits: 0x207fffff,
      nonce: 2,
    });
    const raw = Buffer.concat([header, encodeVarInt(1), GENESIS_COINBASE]);
    if (displayHash(header) !== REGTEST_GENESIS_HASH) {
      throw new Error('the regtest genesis block does not hash to its known hash');
    }
    this.#connect(this.#record(Block.fromBuffer(raw), header, raw, 0, true));
    this.refillMempool();
  }

  get tip(): StoredBlock {
    return this.#chain[this.#chain.length - 1] as StoredBlock;
  }

  get height(): number {
    return this.tip.height;
  }

  get bits(): number {
    return this.#options.bits;
  }

  /**
   * [Bitcoin Core src/validation.cpp: IsInitialBlockDownload] true until the tip is less than
   * a day old, then false for good (Core latches m_cached_finished_ibd): on regtest the first
   * block mined takes a fresh node out of it.
   */
  get initialBlockDownload(): boolean {
    if (!this.#finishedInitialDownload && this.tip.time >= this.#options.now() - MAX_TIP_AGE) {
      this.#finishedInitialDownload = true;
    }
    return !this.#finishedInitialDownload;
  }

  get longpollId(): string {
    return `${this.tip.hash}${String(this.#updates)}`;
  }

  onBlockConnected(listener: (hash: string) => void): void {
    this.#blockListeners.push(listener);
  }

  subsidy(height: number): bigint {
    const halvings = Math.floor(height / this.#options.halvingInterval);
    return halvings >= 64 ? 0n : (50n * COIN) >> BigInt(halvings);
  }

  /** [Bitcoin Core GetMedianTimePast] of the 11 blocks ending at `height` (the tip by default). */
  medianTimePast(height = this.height): number {
    const times = this.#chain.slice(Math.max(0, height - 10), height + 1).map((block) => block.time);
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? 0;
  }

  /** A transaction for the next blocks (the wallet's payments). */
  addTransaction(tx: MempoolTransaction): void {
    this.#mempool.set(tx.txid, tx);
    this.#changed();
  }

  /** Adds made-up transactions until the mempool holds mempoolSize of them. */
  refillMempool(): number {
    let added = 0;
    while (this.#mempool.size < this.#options.mempoolSize) {
      const tx = randomTransaction();
      this.#mempool.set(tx.txid, tx);
      added++;
    }
    if (added > 0) {
      this.#changed();
    }
    return added;
  }

  /** [getblocktemplate] in the shape Bitcoin Core returns with rules ["segwit"]. */
  blockTemplate(): Record<string, unknown> {
    const height = this.height + 1;
    const chosen: MempoolTransaction[] = [];
    let weight = 0;
    for (const tx of this.#mempool.values()) {
      if (weight + tx.weight > MAX_TEMPLATE_WEIGHT) {
        break;
      }
      chosen.push(tx);
      weight += tx.weight;
    }
    const fees = chosen.reduce((sum, tx) => sum + tx.fee, 0);
    const target = decodeCompact(this.#options.bits).target;
    const wtxids = chosen.map((tx) => reverseBytes(Buffer.from(tx.wtxid, 'hex')));
    return {
      capabilities: ['proposal'],
      version: 0x20000000,
      rules: ['csv', '!segwit', 'taproot'],
      vbavailable: {},
      vbrequired: 0,
      previousblockhash: this.tip.hash,
      transactions: chosen.map((tx) => ({
        data: tx.raw.toString('hex'),
        txid: tx.txid,
        hash: tx.wtxid,
        depends: [],
        fee: tx.fee,
        sigops: tx.sigops,
        weight: tx.weight,
      })),
      coinbaseaux: {},
      coinbasevalue: Number(this.subsidy(height)) + fees,
      longpollid: this.longpollId,
      target: target.toString(16).padStart(64, '0'),
      mintime: this.medianTimePast() + 1,
      mutable: ['time', 'transactions', 'prevblock'],
      noncerange: '00000000ffffffff',
      sigoplimit: 80_000,
      sizelimit: 4_000_000,
      weightlimit: 4_000_000,
      curtime: Math.max(this.#options.now(), this.medianTimePast() + 1),
      bits: u32ToHex(this.#options.bits),
      height,
      default_witness_commitment: witnessCommitmentScript(wtxids).toString('hex'),
    };
  }

  /** getblocktemplate longpolls waiting for the template to change. */
  get heldLongpolls(): number {
    return this.#waiters.length;
  }

  /**
   * Resolves when the template changes after `longpollId`, after `timeoutMs`, or when `signal`
   * aborts (the node shutting down).
   */
  waitForChange(longpollId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (longpollId !== this.longpollId || signal?.aborted === true) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters = this.#waiters.filter((waiter) => waiter !== done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done);
      this.#waiters.push(done);
    });
  }

  /**
   * [submitblock] null when the block extends the chain, else the BIP22 reason.
   * Throws SubmitDecodeError for bytes that are not a block.
   */
  submitBlock(raw: Buffer): string | null {
    let header: Buffer;
    try {
      header = raw.subarray(0, HEADER_SIZE);
      parseHeader(header);
    } catch {
      throw new SubmitDecodeError('Block decode failed');
    }
    const hash = displayHash(header);
    if (this.#byHash.has(hash)) {
      return 'duplicate';
    }
    const prevhash = reverseBytes(parseHeader(header).prevhashInternal).toString('hex');
    const parent = this.#byHash.get(prevhash);
    if (!parent) {
      return 'prev-blk-not-found';
    }
    let verdict;
    try {
      verdict = validateBlock(raw, {
        height: parent.height + 1,
        bits: this.#options.bits,
        medianTimePast: this.medianTimePast(parent.height),
        nowSeconds: this.#options.now(),
        subsidy: this.subsidy(parent.height + 1),
        feeOf: (txid) => this.#feeOn(txid, parent.height),
      });
    } catch {
      throw new SubmitDecodeError('Block decode failed');
    }
    if (!verdict.ok) {
      return verdict.reason;
    }
    if (parent !== this.tip) {
      // Valid, but on a branch the devchain does not follow: it never reorganizes.
      this.#byHash.set(hash, this.#record(verdict.block, header, raw, parent.height + 1, false));
      return 'inconclusive';
    }
    this.#connect(this.#record(verdict.block, header, raw, parent.height + 1, true));
    return null;
  }

  /**
   * A block from "the rest of the network": built on the tip from the current template
   * and connected without proof of work (the devchain does not spend CPU on it), so
   * that the pool's current jobs turn stale.
   */
  addNetworkBlock(payout: Buffer = NETWORK_PAYOUT): string {
    const template = prepareTemplate(this.blockTemplate());
    const job = createJob(
      'network',
      template,
      buildCoinbase(template, {
        poolTag: Buffer.from('/devchain network/'),
        extranonce2Size: 4,
        payouts: [{ script: payout, weight: 1 }],
      }),
      true,
    );
    const extranonce1 = randomBytes(4);
    const extranonce2 = randomBytes(4);
    const coinbaseTxid = sha256d(
      Buffer.concat([job.coinbase.coinb1, extranonce1, extranonce2, job.coinbase.coinb2]),
    );
    const header = writeHeader(Buffer.alloc(HEADER_SIZE), {
      version: template.version,
      prevhashInternal: template.prevhashInternal,
      merkleRootInternal: foldMerkleBranch(coinbaseTxid, template.merkleBranch),
      ntime: template.curtime,
      bits: template.bits,
      nonce: 0,
    });
    const raw = assembleBlock(job, extranonce1, extranonce2, header);
    this.#connect(this.#record(Block.fromBuffer(raw), header, raw, this.height + 1, true));
    return this.tip.hash;
  }

  /**
   * [getchaintips] the active tip, and the tip of each branch the devchain keeps (blocks
   * it found valid on a parent that was not its tip); it never reorganizes onto them.
   */
  chainTips(): { height: number; hash: string; branchlen: number; status: 'active' | 'valid-fork' }[] {
    const parents = new Set<string>();
    for (const block of this.#byHash.values()) {
      parents.add(reverseBytes(parseHeader(block.header).prevhashInternal).toString('hex'));
    }
    const branches = [...this.#byHash.values()]
      .filter((block) => !block.mainChain && !parents.has(block.hash))
      .map((block) => {
        let forkPoint = block;
        while (!forkPoint.mainChain) {
          const parent = this.#byHash.get(
            reverseBytes(parseHeader(forkPoint.header).prevhashInternal).toString('hex'),
          );
          if (!parent) {
            break;
          }
          forkPoint = parent;
        }
        return {
          height: block.height,
          hash: block.hash,
          branchlen: block.height - forkPoint.height,
          status: 'valid-fork' as const,
        };
      });
    return [{ height: this.height, hash: this.tip.hash, branchlen: 0, status: 'active' }, ...branches];
  }

  blockByHash(hash: string): StoredBlock | undefined {
    return this.#byHash.get(hash);
  }

  blockAt(height: number): StoredBlock | undefined {
    return this.#chain[height];
  }

  difficulty(): number {
    return difficultyFromBits(this.#options.bits);
  }

  #record(block: Block, header: Buffer, raw: Buffer, height: number, mainChain: boolean): StoredBlock {
    return {
      hash: displayHash(header),
      height,
      header,
      raw,
      txids: (block.transactions ?? []).map((tx) => tx.getId()),
      weight: block.weight(),
      time: block.timestamp,
      mainChain,
    };
  }

  /** The fee of a transaction spendable in a block on `parentHeight`: in the mempool, or mined above it. */
  #feeOn(txid: string, parentHeight: number): number | undefined {
    const mined = this.#minedFees.get(txid);
    return this.#mempool.get(txid)?.fee ?? (mined && mined.height > parentHeight ? mined.fee : undefined);
  }

  #connect(stored: StoredBlock): void {
    this.#chain.push(stored);
    this.#byHash.set(stored.hash, stored);
    for (const txid of stored.txids) {
      const waiting = this.#mempool.get(txid);
      if (waiting) {
        this.#minedFees.set(txid, { fee: waiting.fee, height: stored.height });
        this.#mempool.delete(txid);
      }
    }
    // A side branch deeper than this is beyond anything a pool still mines on.
    for (const [txid, mined] of this.#minedFees) {
      if (mined.height < stored.height - 100) {
        this.#minedFees.delete(txid);
      }
    }
    this.#changed();
    for (const listener of this.#blockListeners) {
      listener(stored.hash);
    }
  }

  #changed(): void {
    this.#updates++;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) {
      wake();
    }
  }
}
