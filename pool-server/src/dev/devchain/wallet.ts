import { randomBytes } from 'node:crypto';
import { address as addresses, Block, payments } from 'bitcoinjs-lib';
import { NETWORK_OF, payoutScript, type Chain } from '../../work/address.ts';
import type { DevChain } from './chain.ts';
import { describeAddress } from './describe-address.ts';
import { spendingTransaction } from './mempool.ts';
import { RpcCode, RpcMethodError } from './rpc-error.ts';

/**
 * [Bitcoin Core src/consensus/consensus.h: COINBASE_MATURITY] a coinbase output may be spent in
 * a block 100 above it; the wallet counts it once it is 101 deep ([src/wallet/wallet.cpp:
 * CWallet::GetTxBlocksToMaturity] is (COINBASE_MATURITY + 1) - depth), so 101 blocks bring
 * 50 BTC on regtest.
 */
const COINBASE_MATURITY = 100;
const COIN = 100_000_000n;

interface Received {
  readonly height: number;
  readonly amount: bigint;
}

interface Sent {
  readonly txid: string;
  readonly amount: bigint;
  readonly fee: bigint;
  readonly comment: string;
  readonly time: number;
  readonly recipients: Readonly<Record<string, string>>;
}

/** Satoshis from a BTC amount given as a number or a decimal string, exactly. */
function satoshis(amount: unknown): bigint | undefined {
  const text = typeof amount === 'number' ? amount.toFixed(8) : amount;
  if (typeof text !== 'string' || !/^\d+(\.\d{1,8})?$/.test(text)) {
    return undefined;
  }
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole) * COIN + BigInt(fraction.padEnd(8, '0'));
}

/** Satoshis as the JSON number bitcoind prints for amounts. */
function amountOf(sats: bigint): number {
  return Number(sats) / 1e8;
}

/**
 * The devchain's wallet, for the calls a pool's payouts make: addresses of its own, whose
 * coinbase outputs it counts once mature, and sendmany, whose transactions go to the
 * devchain's mempool and are mined. Coins are accounted, not signed.
 */
export class DevWallet {
  readonly #chain: DevChain;
  readonly #network: Chain;
  /** Output scripts (hex) of this wallet's addresses, with when each was made (seconds). */
  readonly #scripts = new Map<string, number>();
  readonly #received: Received[] = [];
  readonly #sent: Sent[] = [];
  readonly #minedAt = new Map<string, number>();

  /** `network` names the chain whose addresses the wallet makes and pays. */
  constructor(chain: DevChain, network: Chain) {
    this.#chain = chain;
    this.#network = network;
    chain.onBlockConnected((hash) => {
      this.#scan(hash);
    });
  }

  /** [getnewaddress] a P2WPKH address this wallet owns. */
  newAddress(): string {
    const payment = payments.p2wpkh({ hash: randomBytes(20), network: NETWORK_OF[this.#network] });
    this.#scripts.set(Buffer.from(payment.output ?? []).toString('hex'), Math.floor(Date.now() / 1000));
    return payment.address ?? '';
  }

  /**
   * [Bitcoin Core src/wallet/rpc/addresses.cpp: getaddressinfo] ismine only for this wallet's
   * own addresses. The wallet holds no keys, so the key fields (desc, pubkey, hdkeypath) are
   * left out; its own addresses are solvable as a key wallet's are.
   */
  addressInfo(address: unknown): Record<string, unknown> {
    const result = typeof address === 'string' ? payoutScript(address, this.#network) : undefined;
    if (!result?.ok) {
      // Core answers DecodeDestination's reason where it has one, else this generic text.
      throw new RpcMethodError(RpcCode.InvalidAddressOrKey, 'Invalid address');
    }
    const script = result.script.toString('hex');
    const created = this.#scripts.get(script);
    const mine = created !== undefined;
    return {
      address: addresses.fromOutputScript(result.script, NETWORK_OF[this.#network]),
      scriptPubKey: script,
      ismine: mine,
      solvable: mine,
      iswatchonly: false,
      ...describeAddress(result.script),
      // The wallet sends without change, so none of its addresses is a change address.
      ischange: false,
      ...(mine && { timestamp: created }),
      // getnewaddress files each address under the label "".
      labels: mine ? [''] : [],
    };
  }

  /** [getbalance] mature coinbase income less what was sent, in satoshis. */
  balance(): bigint {
    const height = this.#chain.height;
    const mature = this.#received
      .filter((received) => height - received.height + 1 > COINBASE_MATURITY)
      .reduce((sum, received) => sum + received.amount, 0n);
    return this.#sent.reduce((left, sent) => left - sent.amount - sent.fee, mature);
  }

  /** [sendmany] pays every address its amount in one transaction; the comment is kept. */
  sendMany(amounts: unknown, comment: unknown): string {
    if (
      typeof amounts !== 'object' ||
      amounts === null ||
      Array.isArray(amounts) ||
      Object.keys(amounts).length === 0
    ) {
      throw new RpcMethodError(
        RpcCode.InvalidParameter,
        'Invalid parameter, amounts must be an object of address: amount',
      );
    }
    const outputs: { script: Buffer; value: bigint }[] = [];
    for (const [address, amount] of Object.entries(amounts)) {
      const script = payoutScript(address, this.#network);
      if (!script.ok) {
        throw new RpcMethodError(RpcCode.InvalidAddressOrKey, `Invalid Bitcoin address: ${address}`);
      }
      const value = satoshis(amount);
      if (value === undefined || value <= 0n) {
        throw new RpcMethodError(RpcCode.TypeError, `Invalid amount for ${address}`);
      }
      outputs.push({ script: script.script, value });
    }
    const total = outputs.reduce((sum, output) => sum + output.value, 0n);
    const tx = spendingTransaction(outputs);
    if (total + BigInt(tx.fee) > this.balance()) {
      throw new RpcMethodError(RpcCode.WalletInsufficientFunds, 'Insufficient funds');
    }
    this.#chain.addTransaction(tx);
    this.#sent.push({
      txid: tx.txid,
      amount: total,
      fee: BigInt(tx.fee),
      comment: typeof comment === 'string' ? comment : '',
      time: Math.floor(Date.now() / 1000),
      recipients: Object.fromEntries(
        Object.entries(amounts).map(([address, amount]) => [address, String(amount)]),
      ),
    });
    return tx.txid;
  }

  /** [gettransaction] */
  transaction(txid: unknown): Record<string, unknown> {
    const sent = this.#sent.find((candidate) => candidate.txid === txid);
    if (!sent) {
      throw new RpcMethodError(RpcCode.InvalidAddressOrKey, 'Invalid or non-wallet transaction id');
    }
    return this.#view(sent);
  }

  /** [listtransactions] most recent last, as Core lists them. */
  list(count: unknown, skip: unknown): Record<string, unknown>[] {
    const take = typeof count === 'number' ? count : 10;
    const from = typeof skip === 'number' ? skip : 0;
    const views = this.#sent.map((sent) => this.#view(sent));
    return views.slice(Math.max(0, views.length - from - take), views.length - from);
  }

  #view(sent: Sent): Record<string, unknown> {
    const mined = this.#minedAt.get(sent.txid);
    return {
      txid: sent.txid,
      category: 'send',
      amount: -amountOf(sent.amount),
      fee: -amountOf(sent.fee),
      confirmations: mined === undefined ? 0 : this.#chain.height - mined + 1,
      comment: sent.comment,
      time: sent.time,
      details: Object.entries(sent.recipients).map(([address, amount]) => ({
        address,
        category: 'send',
        amount: -Number(amount),
      })),
    };
  }

  #scan(hash: string): void {
    const stored = this.#chain.blockByHash(hash);
    if (!stored) {
      return;
    }
    const block = Block.fromBuffer(stored.raw);
    const [coinbase, ...rest] = block.transactions ?? [];
    for (const output of coinbase?.outs ?? []) {
      if (this.#scripts.has(Buffer.from(output.script).toString('hex'))) {
        this.#received.push({ height: stored.height, amount: output.value });
      }
    }
    for (const tx of rest) {
      if (this.#sent.some((sent) => sent.txid === tx.getId())) {
        this.#minedAt.set(tx.getId(), stored.height);
      }
    }
  }
}
