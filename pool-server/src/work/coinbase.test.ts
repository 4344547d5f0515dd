import { Transaction, networks, payments } from 'bitcoinjs-lib';
import { describe, expect, it } from 'vitest';
import { templateVectors } from '../../test/helpers/vectors.ts';
import { payoutScript, type Chain } from './address.ts';
import {
  buildCoinbase,
  CoinbaseError,
  countLegacySigops,
  EXTRANONCE1_SIZE,
  encodeHeightPush,
  splitCoinbaseValue,
  type CoinbaseOptions,
} from './coinbase.ts';
import { prepareTemplate, type PreparedTemplate } from './template.ts';

const POOL_SCRIPT = Buffer.from('0014274466e754a1c12d0a2d2cc34ceb70d8e017053a', 'hex'); // P2WPKH
const P2PKH_SCRIPT = Buffer.from('76a91477bff20c60e522dfaa3350c39b030a5d004e839a88ac', 'hex');
const TAPROOT_KEY = Buffer.from('a37c3903c8d0db6512e2b40b0dffa05e5a3ab73603ce8c9c4b7771e5412328f9', 'hex');

const options: CoinbaseOptions = {
  poolTag: Buffer.from('/hashwatt/'),
  extranonce2Size: 8,
  payouts: [{ script: POOL_SCRIPT, weight: 1 }],
};

function parse(coinb1: Buffer, coinb2: Buffer, extranonce2Size: number): Transaction {
  return Transaction.fromBuffer(
    Buffer.concat([coinb1, Buffer.alloc(EXTRANONCE1_SIZE + extranonce2Size), coinb2]),
  );
}

describe('[BIP34] height push', () => {
  it.each([
    [0, '00'],
    [1, '51'],
    [14, '5e'], // MiningCore's regtest block 14
    [16, '60'],
    [17, '0111'],
    [123, '017b'],
    [127, '017f'],
    [128, '028000'],
    [157, '029d00'],
    [316, '023c01'],
    [505, '02f901'], // ckpool regtest job
    [32768, '03008000'],
    [2442185, '03c94325'], // public-pool testnet3 template
    [791433, '0389130c'], // ESP-Miner's Slush mainnet job (0x0c1389)
  ])('%i -> %s', (height, hex) => {
    expect(encodeHeightPush(height).toString('hex')).toBe(hex);
  });
});

describe.each(templateVectors)('coinbase for $id', (vector) => {
  const template = prepareTemplate(vector.response);

  it.each([2, 4, 8])(
    'extranonce2 of %i bytes: parses as a coinbase that pays exactly coinbasevalue',
    (size) => {
      const coinbase = buildCoinbase(template, { ...options, extranonce2Size: size });
      const tx = parse(coinbase.coinb1, coinbase.coinb2, size);
      expect(tx.isCoinbase()).toBe(true);
      expect(tx.version).toBe(2);
      const input = tx.ins[0];
      expect(input?.script.subarray(0, encodeHeightPush(template.height).length)).toEqual(
        encodeHeightPush(template.height),
      );
      expect(input?.script.length).toBeGreaterThanOrEqual(2);
      expect(input?.script.length).toBeLessThanOrEqual(100);
      expect(Buffer.from(input?.script ?? []).includes('/hashwatt/')).toBe(true);
      // [BIP54] locktime height - 1 with a non-final sequence.
      expect(input?.sequence).toBe(0xfffffffe);
      expect(tx.locktime).toBe(template.height - 1);
      const paid = tx.outs.reduce((sum, out) => sum + out.value, 0n);
      expect(paid).toBe(BigInt(vector.response.coinbasevalue));
      expect(coinbase.outputs.reduce((sum, out) => sum + out.value, 0n)).toBe(paid);
    },
  );

  it('ends with the template witness commitment, worth nothing', () => {
    const coinbase = buildCoinbase(template, options);
    const tx = parse(coinbase.coinb1, coinbase.coinb2, options.extranonce2Size);
    const last = tx.outs.at(-1);
    expect(Buffer.from(last?.script ?? []).toString('hex')).toBe(vector.response.default_witness_commitment);
    expect(last?.value).toBe(0n);
    expect(coinbase.witness).toBe(template.segwit);
  });

  it('splits the reward for SOLO: the finder and the pool fee, rounding to the finder', () => {
    const payouts = [
      { script: P2PKH_SCRIPT, weight: 9850 },
      { script: POOL_SCRIPT, weight: 150 },
    ];
    const coinbase = buildCoinbase(template, { ...options, payouts });
    const [finder, fee] = coinbase.outputs;
    const total = template.coinbaseValue;
    expect(fee?.value).toBe((total * 150n) / 10000n);
    expect((finder?.value ?? 0n) + (fee?.value ?? 0n)).toBe(total);
    expect(finder?.script.equals(P2PKH_SCRIPT)).toBe(true);
  });
});

describe('coinbase limits and bad options', () => {
  const base = prepareTemplate(templateVectors[0]?.response);
  const build = (template: PreparedTemplate, extra: Partial<CoinbaseOptions> = {}): unknown =>
    buildCoinbase(template, { ...options, ...extra });

  it('refuses extranonce2 sizes outside 2-8', () => {
    for (const size of [0, 1, 9, 2.5]) {
      expect(() => build(base, { extranonce2Size: size })).toThrow(/extranonce2 size must be 2 to 8/);
    }
  });

  it('refuses a pool tag that pushes the scriptSig over 100 bytes', () => {
    const withAux = { ...base, coinbaseAux: Buffer.alloc(20, 0x01) };
    expect(() => build(base, { poolTag: Buffer.alloc(70, 0x41) })).not.toThrow();
    expect(() => build(withAux, { poolTag: Buffer.alloc(70, 0x41) })).toThrow(CoinbaseError);
    expect(() => build(withAux, { poolTag: Buffer.alloc(70, 0x41) })).toThrow(/scriptSig would be 108 bytes/);
    expect(() => build(base, { poolTag: Buffer.alloc(76, 0x41) })).toThrow(/75-byte/);
  });

  it('refuses a block over the template weight, size or sigop limits', () => {
    expect(() => build({ ...base, weightLimit: 4 * 80 + base.transactionWeight })).toThrow(/weightlimit/);
    expect(() => build({ ...base, sizeLimit: 100 + base.transactionBytes })).toThrow(/sizelimit/);
    // A P2PKH output carries one legacy sigop: 4 units of sigop cost under segwit.
    const p2pkh = { payouts: [{ script: P2PKH_SCRIPT, weight: 1 }] };
    const tight = { ...base, segwit: true, sigopLimit: base.transactionSigops + 3 };
    expect(() => build(tight, p2pkh)).toThrow(/sigoplimit/);
    expect(() => build({ ...tight, sigopLimit: base.transactionSigops + 4 }, p2pkh)).not.toThrow();
  });

  it('refuses payouts without weight', () => {
    expect(() => build(base, { payouts: [] })).toThrow(/at least one payout/);
    expect(() => build(base, { payouts: [{ script: POOL_SCRIPT, weight: 0 }] })).toThrow(/positive integer/);
  });

  it('counts legacy sigops as Bitcoin Core does', () => {
    expect(countLegacySigops(P2PKH_SCRIPT)).toBe(1);
    expect(countLegacySigops(POOL_SCRIPT)).toBe(0);
    expect(countLegacySigops(Buffer.from('52ae', 'hex'))).toBe(20); // OP_2 OP_CHECKMULTISIG
  });

  it('splits any total exactly', () => {
    const payouts = [1, 2, 3].map((weight) => ({ script: POOL_SCRIPT, weight }));
    for (const total of [0n, 1n, 5n, 7n, 312_500_000n, 2_100_000_000_000_000n]) {
      const values = splitCoinbaseValue(total, payouts);
      expect(values.reduce((a, b) => a + b, 0n)).toBe(total);
      expect(values.every((value) => value >= 0n)).toBe(true);
    }
  });
});

describe('payout addresses (bitcoinjs-lib)', () => {
  const NETWORKS: [Chain, typeof networks.bitcoin][] = [
    ['main', networks.bitcoin],
    ['test', networks.testnet],
    ['testnet4', networks.testnet],
    ['signet', networks.testnet],
    ['regtest', networks.regtest],
  ];
  const hash20 = Buffer.alloc(20, 0x11);
  const hash32 = Buffer.alloc(32, 0x22);

  it.each(NETWORKS)('%s: P2PKH, P2SH, P2WPKH, P2WSH and P2TR', (chain, network) => {
    const kinds = [
      payments.p2pkh({ hash: hash20, network }),
      payments.p2sh({ hash: hash20, network }),
      payments.p2wpkh({ hash: hash20, network }),
      payments.p2wsh({ hash: hash32, network }),
      payments.p2tr({ pubkey: TAPROOT_KEY, network }),
    ];
    for (const payment of kinds) {
      const result = payoutScript(payment.address ?? '', chain);
      expect(result).toEqual({ ok: true, script: Buffer.from(payment.output ?? []) });
    }
  });

  it.each([
    ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa', '76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac'],
    ['3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy', 'a914b472a266d0bd89c13706a4132ccfb16f7c3b9fcb87'],
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', '0014751e76e8199196d454941c45d1b3a323f1433bd6'], // BIP173
    [
      'bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3', // BIP173
      '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262',
    ],
    [
      'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297', // BIP86
      '5120a37c3903c8d0db6512e2b40b0dffa05e5a3ab73603ce8c9c4b7771e5412328f9',
    ],
  ])('mainnet %s', (address, script) => {
    expect(payoutScript(address, 'main')).toEqual({ ok: true, script: Buffer.from(script, 'hex') });
  });

  it.each([
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'regtest'], // another network
    ['tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx', 'main'],
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', 'main'], // bad checksum
    ['1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', 'main'],
    ['not an address', 'main'],
    ['', 'main'],
    ['bc1p'.padEnd(120, 'q'), 'main'],
  ] as const)('refuses %s on %s', (address, chain) => {
    const result = payoutScript(address, chain);
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining(chain) as unknown });
  });
});
