/**
 * The model table's data: what each model hashes, the unit its firmware writes, its
 * nameplate; read through models.ts.
 */

/** What a machine hashes, in the agent's words; `unknown` is never counted as Bitcoin hashrate. */
export type Algorithm =
  | 'sha256d'
  | 'scrypt'
  | 'x11'
  | 'ethash'
  | 'etchash'
  | 'equihash'
  | 'eaglesong'
  | 'kheavyhash'
  | 'blake2s'
  | 'blake2b'
  | 'blake3'
  | 'handshake'
  | 'blake256'
  | 'cryptonight'
  | 'unknown';

/** An SI prefix on the algorithm's own unit: H/s, or Sol/s for Equihash. */
export type Prefix = 'H' | 'K' | 'M' | 'G' | 'T' | 'P';

export type Make =
  | 'Antminer'
  | 'Whatsminer'
  | 'Avalon'
  | 'Innosilicon'
  | 'StrongU'
  | 'iBeLink'
  | 'Goldshell'
  | 'Bitaxe'
  | 'Auradine'
  | 'Elphapex';

export interface ModelRow {
  readonly make: Make;
  /** The model as its maker writes it. */
  readonly model: string;
  readonly algorithm: Algorithm;
  /**
   * What Bitmain's bmminer/cgminer writes in its `GHS …` fields on this model, where
   * that is not GH/s (the L3+ writes MH/s there, bitmaintech/bmminer#11). Firmware
   * that states a `rate_unit` is believed instead.
   */
  readonly cgminerUnit?: Prefix;
  /** Nameplate hashrate (in `nominal[1]` units of the algorithm's base unit) and power in W. */
  readonly nominal?: readonly [number, Prefix, number];
}

/** A series: a model of this maker whose name starts so, when the exact model is not listed. */
export interface SeriesRow {
  readonly make: Make;
  readonly name: RegExp;
  readonly algorithm: Algorithm;
  readonly cgminerUnit?: Prefix;
}

const row = (
  make: Make,
  model: string,
  algorithm: Algorithm,
  nominal?: readonly [number, Prefix, number],
  cgminerUnit?: Prefix,
): ModelRow => ({
  make,
  model,
  algorithm,
  ...(nominal && { nominal }),
  ...(cgminerUnit && { cgminerUnit }),
});

const A = 'Antminer';
const W = 'Whatsminer';
const C = 'Avalon';
const I = 'Innosilicon';

/**
 * Sources: Bitmain's product pages and spec sheets (shop.bitmain.com, service.bitmain.com
 * "specifications"), MicroBT's (microbt.com/product), Canaan's (canaan.io/product),
 * Innosilicon's (innosilicon.com), Goldshell's (goldshell.com), iBeLink's, StrongU's
 * launch notes, Elphapex's (elphapex.com), Auradine's (auradine.com) and the Bitaxe
 * project's (github.com/bitaxeorg); the Bitcoin models as in
 * /work/shared/domain/regulation-economics.md §4.4. `[U]` marks a figure only
 * third-party calculators give; a model whose figures no source agrees on has none.
 */
export const MODELS: readonly ModelRow[] = [
  // Bitmain, SHA-256: S9 family (13.5 TH/s 1323 W sheet; S9i 14/1320; S9j 14.5/1350; S9k 13.5/1310; S9 SE 16/1280).
  row(A, 'S9', 'sha256d', [13.5, 'T', 1323]),
  row(A, 'S9i', 'sha256d', [14, 'T', 1320]),
  row(A, 'S9j', 'sha256d', [14.5, 'T', 1350]),
  row(A, 'S9k', 'sha256d', [13.5, 'T', 1310]),
  row(A, 'S9 SE', 'sha256d', [16, 'T', 1280]),
  row(A, 'T9+', 'sha256d', [10.5, 'T', 1432]), // bitmain T9+ sheet
  row(A, 'S11', 'sha256d', [20.5, 'T', 1530]), // bitmain S11 sheet
  row(A, 'S15', 'sha256d', [28, 'T', 1596]), // bitmain S15 sheet
  row(A, 'T15', 'sha256d', [23, 'T', 1541]), // bitmain T15 sheet
  row(A, 'S17', 'sha256d', [56, 'T', 2520]), // bitmain S17 sheet
  row(A, 'S17 Pro', 'sha256d', [53, 'T', 2094]), // bitmain S17 Pro 53T sheet
  row(A, 'S17+', 'sha256d', [73, 'T', 2920]), // bitmain S17+ sheet
  row(A, 'S17e', 'sha256d', [64, 'T', 2880]), // bitmain S17e sheet
  row(A, 'T17', 'sha256d', [40, 'T', 2200]), // bitmain T17 sheet
  row(A, 'T17+', 'sha256d', [64, 'T', 3200]), // bitmain T17+ sheet
  row(A, 'T17e', 'sha256d', [53, 'T', 2915]), // bitmain T17e sheet
  row(A, 'S19', 'sha256d', [95, 'T', 3250]), // regulation-economics A1
  row(A, 'S19 Pro', 'sha256d', [110, 'T', 3250]), // regulation-economics A1
  row(A, 'S19j', 'sha256d', [90, 'T', 3100]), // bitmain S19j sheet
  row(A, 'S19j Pro', 'sha256d', [100, 'T', 3050]), // regulation-economics A1, A4
  row(A, 'S19j Pro+', 'sha256d', [122, 'T', 3355]), // bitmain S19j Pro+ sheet
  row(A, 'S19k Pro', 'sha256d', [120, 'T', 2760]), // bitmain S19k Pro sheet
  row(A, 'S19 XP', 'sha256d', [140, 'T', 3010]), // regulation-economics A1, A2
  row(A, 'S19 Hyd', 'sha256d', [158, 'T', 5451]), // bitmain S19 Hydro sheet
  row(A, 'S19 Pro Hyd', 'sha256d', [177, 'T', 5221]), // bitmain S19 Pro Hyd. sheet
  row(A, 'S19 XP Hyd', 'sha256d', [255, 'T', 5304]), // bitmain S19 XP Hyd. sheet
  row(A, 'T19', 'sha256d', [84, 'T', 3150]), // bitmain T19 sheet
  row(A, 'S21', 'sha256d', [200, 'T', 3500]), // regulation-economics A3, A17
  row(A, 'S21 Pro', 'sha256d', [234, 'T', 3510]), // regulation-economics A4
  row(A, 'S21 XP', 'sha256d', [270, 'T', 3645]), // regulation-economics A5
  row(A, 'S21+', 'sha256d', [216, 'T', 3564]), // regulation-economics A6 [U] power
  row(A, 'S21 Hyd', 'sha256d', [335, 'T', 5360]), // bitmain S21 Hyd. sheet
  row(A, 'S21 XP Hyd', 'sha256d', [473, 'T', 5676]), // bitmain S21 XP Hyd. sheet
  row(A, 'T21', 'sha256d', [190, 'T', 3610]), // regulation-economics A7 [U]
  // Bitmain, scrypt: bmminer writes MH/s in `GHS` on the L3 line (bitmaintech/bmminer#11).
  row(A, 'L3+', 'scrypt', [504, 'M', 800], 'M'), // bitmain L3+ sheet
  row(A, 'L3++', 'scrypt', [580, 'M', 942], 'M'), // bitmain L3++ sheet
  // The L7's bmminer writes MH/s there too: "GHS 5s":9529.45 on a 9.5 GH/s machine (a
  // stats reply quoted in a public miner-monitor's tests); the L9 follows the L7's firmware.
  row(A, 'L7', 'scrypt', [9.5, 'G', 3425], 'M'), // bitmain L7 9.5G sheet
  row(A, 'L9', 'scrypt', [16, 'G', 3360], 'M'), // bitmain L9 16G sheet
  // Bitmain, X11: the D3's `GHS 5s` of "16346.64" is 16.3 GH/s (foreman-apps AntminerD3ITest).
  row(A, 'D3', 'x11', [19.3, 'G', 1350], 'M'), // bitmain D3 19.3G sheet
  row(A, 'D7', 'x11', [1286, 'G', 3148]), // bitmain D7 sheet
  row(A, 'D9', 'x11', [1770, 'G', 2839]), // bitmain D9 sheet
  // Bitmain, Ethash: the E3's `GHS 5s` of "197.30" is MH/s (foreman-apps e3.json; 190 MH/s sheet).
  row(A, 'E3', 'ethash', [190, 'M', 760], 'M'), // bitmain E3 sheet
  row(A, 'E9', 'ethash', [2.4, 'G', 1920]), // bitmain E9 2.4G sheet
  row(A, 'E9 Pro', 'etchash', [3.68, 'G', 2200]), // bitmain E9 Pro sheet
  // Bitmain, Equihash: the Z-series cgminer writes kSol/s in `GHS` (Z11: 135 k).
  row(A, 'Z9 Mini', 'equihash', [10, 'K', 300], 'K'), // bitmain Z9 Mini sheet
  row(A, 'Z9', 'equihash', [42, 'K', 970], 'K'), // bitmain Z9 sheet
  row(A, 'Z11', 'equihash', [135, 'K', 1418], 'K'), // bitmain Z11 sheet
  row(A, 'Z15', 'equihash', [420, 'K', 1510], 'K'), // bitmain Z15 sheet
  row(A, 'Z15 Pro', 'equihash', [840, 'K', 2780]), // bitmain Z15 Pro sheet
  // Bitmain, other coins.
  row(A, 'K7', 'eaglesong', [63.5, 'T', 3080]), // bitmain K7 sheet
  row(A, 'KS3', 'kheavyhash', [9.4, 'T', 3500]), // bitmain KS3 9.4T sheet
  row(A, 'KS5', 'kheavyhash', [20, 'T', 3000]), // bitmain KS5 sheet
  row(A, 'KS5 Pro', 'kheavyhash', [21, 'T', 3150]), // bitmain KS5 Pro sheet
  // The KA3 mines Kadena (blake2s), not Kaspa (asic-rs's model list: KA3 Kadena, DR5 Blake256R14).
  row(A, 'KA3', 'blake2s', [166, 'T', 3154]), // bitmain KA3 sheet
  row(A, 'DR5', 'blake256'),
  row(A, 'HS3', 'handshake'),
  // MicroBT Whatsminer, SHA-256 (microbt.com product pages).
  row(W, 'M20S', 'sha256d', [68, 'T', 3360]),
  row(W, 'M21S', 'sha256d', [56, 'T', 3360]),
  row(W, 'M30S', 'sha256d', [86, 'T', 3268]),
  row(W, 'M30S+', 'sha256d', [100, 'T', 3400]),
  row(W, 'M30S++', 'sha256d', [112, 'T', 3472]), // regulation-economics A8
  row(W, 'M31S', 'sha256d', [70, 'T', 3220]),
  row(W, 'M31S+', 'sha256d', [82, 'T', 3280]),
  row(W, 'M50', 'sha256d', [114, 'T', 3306]),
  row(W, 'M50S', 'sha256d', [126, 'T', 3276]), // regulation-economics A9 [U]
  row(W, 'M53', 'sha256d', [226, 'T', 6554]),
  row(W, 'M56S', 'sha256d', [212, 'T', 5550]),
  row(W, 'M60', 'sha256d', [172, 'T', 3422]),
  row(W, 'M60S', 'sha256d', [186, 'T', 3441]), // regulation-economics A10
  row(W, 'M63', 'sha256d', [334, 'T', 6646]),
  row(W, 'M63S', 'sha256d', [390, 'T', 7215]), // regulation-economics A11 [U]
  row(W, 'M66S', 'sha256d', [298, 'T', 5513]),
  // Canaan Avalon, SHA-256 (canaan.io product pages).
  row(C, '841', 'sha256d', [13.6, 'T', 1290]),
  row(C, '921', 'sha256d', [20, 'T', 1700]),
  row(C, '1047', 'sha256d', [37, 'T', 2380]),
  row(C, '1066', 'sha256d', [50, 'T', 3250]),
  row(C, '1166 Pro', 'sha256d', [81, 'T', 3400]),
  row(C, '1246', 'sha256d', [90, 'T', 3420]),
  row(C, '1366', 'sha256d', [130, 'T', 3250]),
  row(C, '1466', 'sha256d', [150, 'T', 3230]), // regulation-economics A12
  row(C, '1566', 'sha256d', [185, 'T', 3420]), // regulation-economics A13 (power [U])
  row(C, 'Nano 3', 'sha256d', [4, 'T', 140]),
  row(C, 'Nano 3S', 'sha256d', [6, 'T', 140]),
  // Innosilicon (innosilicon.com product pages).
  // The A9's cgminer writes Sol/s in `MHS 5s` (foreman-apps InnosiliconA9StatsITest: 51451.63).
  row(I, 'A9', 'equihash', [50, 'K', 620], 'H'), // A9 ZMaster
  row(I, 'A10', 'ethash', [485, 'M', 850]), // A10 ETHMaster
  row(I, 'A10 Pro', 'ethash', [500, 'M', 950]),
  row(I, 'A11', 'ethash', [1500, 'M', 2350]), // A11 Pro ETH [U]
  row(I, 'T2T', 'sha256d', [30, 'T', 2200]), // T2 Turbo
  row(I, 'T3', 'sha256d', [43, 'T', 2100]), // T3 BTCMiner 43T
  row(I, 'T3+', 'sha256d', [52, 'T', 2800]),
  // StrongU: U2 mines Sia (blake2b), U6 Dash (X11, hashnest: 2.197 W/GH), U8 Bitcoin.
  row('StrongU', 'U2', 'blake2b', [5.5, 'T', 1600]), // [U]
  row('StrongU', 'U6', 'x11', [440, 'G', 2100]), // [U]
  row('StrongU', 'U8', 'sha256d', [46, 'T', 2100]), // [U]
  // iBeLink: N1 Max mines Sia (blake2b), BM-K1 Kadena (blake2s).
  row('iBeLink', 'N1 Max', 'blake2b', [12, 'T', 3000]), // [U]
  row('iBeLink', 'N1', 'blake2b', [6.8, 'T', 2100]), // [U]
  row('iBeLink', 'BM-K1', 'blake2s', [5.3, 'T', 800]),
  row('iBeLink', 'BM-K1 Max', 'blake2s', [32, 'T', 3200]),
  // Goldshell (goldshell.com product pages).
  row('Goldshell', 'KD5', 'blake2s', [18, 'T', 2250]),
  row('Goldshell', 'KD6', 'blake2s', [29.2, 'T', 2630]),
  row('Goldshell', 'KD Box', 'blake2s', [1.6, 'T', 205]),
  row('Goldshell', 'LT5', 'scrypt', [2.05, 'G', 2080]),
  row('Goldshell', 'LT6', 'scrypt', [3.35, 'G', 3200]),
  row('Goldshell', 'CK5', 'eaglesong', [12, 'T', 2400]),
  row('Goldshell', 'HS5', 'handshake', [2.7, 'T', 2650]),
  row('Goldshell', 'Mini-DOGE', 'scrypt', [185, 'M', 233]),
  row('Goldshell', 'Mini-DOGE Pro', 'scrypt', [205, 'M', 220]),
  row('Goldshell', 'KA Box', 'kheavyhash', [1.18, 'T', 400]),
  row('Goldshell', 'AL Box', 'blake3', [360, 'G', 180]),
  // Bitaxe, SHA-256: AxeOS names the ASIC (github.com/bitaxeorg: Max BM1397, Ultra BM1366, Supra BM1368, Gamma BM1370).
  row('Bitaxe', 'BM1397', 'sha256d', [400, 'G', 15]),
  row('Bitaxe', 'BM1366', 'sha256d', [500, 'G', 12]),
  row('Bitaxe', 'BM1368', 'sha256d', [600, 'G', 15]),
  row('Bitaxe', 'BM1370', 'sha256d', [1.2, 'T', 17]), // regulation-economics A15, A16
  // Auradine Teraflux, SHA-256 (auradine.com).
  row('Auradine', 'AT1500', 'sha256d', [180, 'T', 3800]), // [U]
  row('Auradine', 'AH3880', 'sha256d', [600, 'T', 8700]), // [U]
  // Elphapex, scrypt (elphapex.com): its firmware states `rate_unit` MH/s.
  row('Elphapex', 'DG1', 'scrypt', [11, 'G', 3420]),
  row('Elphapex', 'DG1+', 'scrypt', [14, 'G', 3950]),
  row('Elphapex', 'DG-Home1', 'scrypt', [2.1, 'G', 620]), // as its firmware names it
];

/**
 * A model's series by the start of its name, for models newer than the table: Bitmain
 * names its Bitcoin miners S and T, its scrypt ones L, X11 D, Ethash E, Equihash Z,
 * kHeavyHash KS, Kadena KA; every Whatsminer M, Avalon, Bitaxe and Auradine hashes SHA-256.
 */
export const SERIES: readonly SeriesRow[] = [
  { make: A, name: /^(?:s|t)\d/, algorithm: 'sha256d' },
  { make: A, name: /^l\d/, algorithm: 'scrypt' },
  { make: A, name: /^d\d/, algorithm: 'x11' },
  { make: A, name: /^e\d/, algorithm: 'ethash' },
  { make: A, name: /^z\d/, algorithm: 'equihash' },
  { make: A, name: /^ks\d/, algorithm: 'kheavyhash' },
  { make: A, name: /^ka\d/, algorithm: 'blake2s' },
  { make: W, name: /^m\d/, algorithm: 'sha256d' },
  { make: C, name: /^(?:a?\d{3,4}|nano)/, algorithm: 'sha256d' },
  { make: 'Bitaxe', name: /^bm\d/, algorithm: 'sha256d' },
  { make: 'Auradine', name: /^a[tih]\d/, algorithm: 'sha256d' },
  // Innosilicon's names by coin (foreman-apps InnosiliconType): T BTC, A9 ZEC, A10/A11 ETH,
  // D9 DCR, S11 SC, A5/A6 DASH, A4 LTC, A8 XMR.
  { make: I, name: /^t\d/, algorithm: 'sha256d' },
  { make: I, name: /^a9/, algorithm: 'equihash', cgminerUnit: 'H' },
  { make: I, name: /^a1[01]/, algorithm: 'ethash' },
  { make: I, name: /^d9/, algorithm: 'blake256' },
  { make: I, name: /^s11/, algorithm: 'blake2b' },
  { make: I, name: /^a[56]/, algorithm: 'x11' },
  { make: I, name: /^a4/, algorithm: 'scrypt' },
  { make: I, name: /^a8/, algorithm: 'cryptonight' },
  { make: 'Goldshell', name: /^kd/, algorithm: 'blake2s' },
  { make: 'Goldshell', name: /^lt|^mini-?doge/, algorithm: 'scrypt' },
  { make: 'Elphapex', name: /^dg/, algorithm: 'scrypt' },
];
