import type { MinerState } from '@hashwatt/schemas';

/** What a sample says, in the terms expectations are written in; hashrate in the algorithm's base unit (H/s, Sol/s). */
export interface Observed {
  readonly make: string;
  readonly model?: string;
  readonly algorithm: string;
  readonly state: MinerState;
  readonly hashrate?: number;
  readonly powerW?: number;
  readonly boards: number;
  readonly fans: number;
  readonly pools: number;
  readonly gpus?: number;
}

/** What a device's captures say it is and does: the fields named are checked, null ones must be absent. */
export type Expected = { readonly [K in keyof Observed]?: Observed[K] | null };

/**
 * Written from the captures' own figures (the reply quoted beside each), not from what
 * the drivers read: a unit or algorithm the agent gets wrong shows here as a miss.
 */
export const EXPECTED: Readonly<Record<string, Expected>> = {
  // stats: Type "Antminer S9", "GHS 5s":"13402.14", chains 6–8, fan_num 2.
  antminer__asicseer_s9: { ...antminer('S9', 'sha256d'), hashrate: 13402.14e9, boards: 3, fans: 2 },
  // stats: Type "Antminer D3 Blissz v2.06 beta" (X11), "GHS 5s":"16346.64" in MH/s, chains 1–3 with 60 chips, fan_num 2.
  'antminer__blissz2.06_d3': {
    ...antminer('D3 Blissz v2.06 beta', 'x11'),
    hashrate: 16346.64e6,
    boards: 3,
    fans: 2,
  },
  // stats: Type "Antminer S9 Hiveon", "GHS 5s":"11781.40", three chains, fan_num 2.
  antminer__hiveon_s9: { ...antminer('S9 Hiveon', 'sha256d'), hashrate: 11781.4e9, boards: 3, fans: 2 },
  // summary "GHS 5s":110566.89; stats three chains, fan_num 4; pools three.
  antminer__stock_bmminer: {
    ...antminer('S19 Pro', 'sha256d'),
    hashrate: 110566.89e9,
    boards: 3,
    fans: 4,
    pools: 3,
  },
  // stats "GHS 5s":0.0 (no web page to say it sleeps): not hashing.
  'antminer__stock_cgminer1.0.0_s19pro_2020': {
    ...antminer('S19 Pro', 'sha256d'),
    state: 'error',
    hashrate: 0,
    boards: 3,
    fans: 4,
    pools: 3,
  },
  // stats: Type "Antminer E3" (Ethash), "GHS 5s":"197.30" in MH/s, nine chains (1–3, 8–13), fan5/fan6 of fan_num 2.
  'antminer__stock_cgminer4.9.0_e3': {
    ...antminer('E3', 'ethash'),
    hashrate: 197.3e6,
    boards: 9,
    fans: 2,
    pools: 3,
  },
  // stats: Type "Antminer L3+" (scrypt), "GHS 5s":"504.56" in MH/s (bitmaintech/bmminer#11), four chains, fan_num 2.
  'antminer__stock_cgminer4.9.0_l3plus': {
    ...antminer('L3+', 'scrypt'),
    hashrate: 504.56e6,
    boards: 4,
    fans: 2,
  },
  // stats: Type "Antminer S17 Pro", "GHS 5s":"54997.01", fan_num 4.
  antminer__stock_s17pro: { ...antminer('S17 Pro', 'sha256d'), hashrate: 54997.01e9, boards: 3, fans: 4 },
  // version only: no figure at all.
  antminer__stock_s9k: { ...antminer('S9k', 'sha256d'), state: 'error', hashrate: null, boards: 0 },
  // stats: "GHS 5s":"0.00", fan_num 0, no chain: a T17+ not hashing.
  antminer__stock_t17plus_2020: {
    ...antminer('T17+', 'sha256d'),
    state: 'error',
    hashrate: 0,
    boards: 0,
    fans: 0,
  },
  // stats: Type "Antminer S9 (vnish 3.8.6)", "GHS 5s":"12795.48".
  'antminer__vnish3.8.6_s9': { ...antminer('S9', 'sha256d'), hashrate: 12795.48e9, boards: 3, fans: 2 },
  // stats: Type "S19-88 v.2.6.0.39 ", "GHS 5s":99989.59, fan_num 4; pools three.
  'mskminer__s19_nopic_2.6.0.39': {
    ...antminer('S19-88 v.2.6.0.39', 'sha256d'),
    hashrate: 99989.59e9,
    boards: 3,
    fans: 4,
    pools: 3,
  },
  // summary "MHS 5s":20599767.18; devs three ASICBoards; fan four; psu PowerIn "58.94W"; pools three; ipreport model AT1500.
  auradine__fluxos_gcminer: {
    make: 'Auradine',
    model: 'AT1500',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 20599767.1774699e6,
    powerW: 58.94,
    boards: 3,
    fans: 4,
    pools: 3,
  },
  // stats MM ID0 Ver[15-194-…] GHSspd, three hash boards, two fans, PS[] input 3731 W.
  'avalon__a1566_cgminer_4.11.1': {
    make: 'Avalon',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 199241.07e9,
    powerW: 3731,
    boards: 3,
    fans: 2,
    pools: 3,
  },
  // summary "MHS 5s":52126282.15 (an A1047 controller's modules).
  'avalon__cgminer4.10.0': { make: 'Avalon', algorithm: 'sha256d', state: 'mining', hashrate: 52126282.15e6 },
  // an Avalon Q: SYSTEMSTATU "Work: In Idle", summary "MHS 5s":0.0.
  avalon__cgminer: { make: 'Avalon', algorithm: 'sha256d', state: 'sleeping', hashrate: 0, pools: 1 },
  // system/info: ASICModel BM1368, hashRate 1000 GH/s, power 2.65 W, a fan, primary and fallback pools.
  bitaxe__axeos_http: {
    make: 'Bitaxe',
    model: 'BM1368',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 1e12,
    powerW: 2.65000009536743,
    boards: 1,
    fans: 1,
    pools: 2,
  },
  // summary "MHS 5s":15740915.84; fans four (no model in these replies).
  'braiins__bosminer_plus_0.2.0_legacy': {
    make: 'Antminer',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 15740915.84e6,
    boards: 3,
    fans: 4,
  },
  // devs only: three boards, no summary figure.
  'braiins__bosminer_plus_0.4.0_legacy': { make: 'Antminer', algorithm: 'sha256d', boards: 3 },
  // version Type "Antminer S19k Pro", summary "GHS 5s":59756.06, power Watts 1051, four fans, four pools.
  luxor__luxos: {
    ...antminer('S19k Pro', 'sha256d'),
    hashrate: 59756.06e9,
    powerW: 1051,
    boards: 3,
    fans: 4,
    pools: 4,
  },
  // summary: the realtime figures each firmware gives (HS RT / MHS 5s), Power, three boards, two fans.
  whatsminer__btminer_2020: {
    make: 'Whatsminer',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 96417231.65e6,
    powerW: 3488,
    boards: 3,
    fans: 2,
    pools: 1,
  },
  whatsminer__btminer_api_v1: {
    make: 'Whatsminer',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 67394800.97e6,
    powerW: 3427,
    boards: 3,
    fans: 2,
    pools: 3,
  },
  whatsminer__btminer_api_v2: {
    make: 'Whatsminer',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 124.5e12,
    powerW: 3200,
    boards: 3,
    fans: 2,
    pools: 3,
  },
  'whatsminer__cgminer4.9.2': {
    make: 'Whatsminer',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 64143777.95e6,
    powerW: 3482,
    fans: 2,
  },
  'whatsminer__cgminer4.9.2_2019': {
    make: 'Whatsminer',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 12286819.78e6,
    fans: 2,
  },
  // per-slot stats only: three boards, no summary.
  'whatsminer__cgminer4.9.2_m20s': { make: 'Whatsminer', algorithm: 'sha256d', hashrate: null, boards: 3 },
  'whatsminer__cgminer4.9.2_m3': { make: 'Whatsminer', algorithm: 'sha256d', hashrate: null, boards: 3 },
  // stats: STATUS "innominer a9-1.1.0", three chains; summary "MHS 5s":51451.63, which is Sol/s on an A9.
  'innosilicon__innominer_a9_1.1.0': {
    make: 'Innosilicon',
    model: 'A9',
    algorithm: 'equihash',
    state: 'mining',
    hashrate: 51451.63,
    boards: 3,
  },
  // GPU miners: each its own API's total, per-GPU entries and the algorithm it names.
  'gminer__1.18': {
    make: 'GMiner',
    algorithm: 'equihash',
    state: 'mining',
    hashrate: 180,
    powerW: 1360,
    gpus: 8,
    pools: 1,
  },
  'gminer__1.34': {
    make: 'GMiner',
    algorithm: 'equihash',
    state: 'mining',
    hashrate: 1.2,
    powerW: 32,
    gpus: 1,
    pools: 1,
  },
  gminer__unknown: { make: 'GMiner', state: 'mining', hashrate: 253.4, powerW: 806, gpus: 4, pools: 1 },
  'lolminer__0.6': {
    make: 'lolMiner',
    algorithm: 'equihash 210/9',
    state: 'mining',
    hashrate: 65.1e6,
    gpus: 1,
    pools: 1,
  },
  // summary: Algorithm "Ethash", Performance_Summary 302.4 mh/s, TotalPower 659.45 W.
  'lolminer__1.16a': {
    make: 'lolMiner',
    algorithm: 'ethash',
    state: 'mining',
    hashrate: 302.4e6,
    powerW: 659.451,
    gpus: 4,
    pools: 1,
  },
  nbminer__unknown: { make: 'NBMiner', state: 'mining', hashrate: 2989, powerW: 354, gpus: 2, pools: 1 },
  'teamredminer__0.3.10': {
    make: 'TeamRedMiner',
    algorithm: 'phi2',
    state: 'mining',
    hashrate: 1.794e6,
    gpus: 1,
    pools: 1,
  },
  'teamredminer__0.3.8': { make: 'TeamRedMiner', state: 'mining', hashrate: 12566, gpus: 6 },
  'trex__0.13.2': {
    make: 'T-Rex',
    algorithm: 'x16s',
    state: 'mining',
    hashrate: 46155255,
    gpus: 2,
    pools: 1,
  },
  'trex__0.19.1': {
    make: 'T-Rex',
    algorithm: 'ethash',
    state: 'mining',
    hashrate: 232615880,
    powerW: 872,
    gpus: 8,
    pools: 1,
  },
  'trex__0.6.3': {
    make: 'T-Rex',
    algorithm: 'x16r',
    state: 'mining',
    hashrate: 150645350,
    powerW: 1532,
    gpus: 8,
    pools: 1,
  },
  'trex__0.9.1': { make: 'T-Rex', algorithm: 'x16r', state: 'mining', hashrate: 7748158, gpus: 1, pools: 1 },
  'xmrig__5.11.1': { make: 'XMRig', state: 'error', hashrate: null },
  'xmrig__6.17.1': {
    make: 'XMRig',
    algorithm: 'rx/0',
    state: 'mining',
    hashrate: 1207.19,
    powerW: 161,
    gpus: 1,
    pools: 1,
  },
  // summary INFO type "DG1+", rate_5s 14920.94 in rate_unit MH/s; stats chain[] four boards; pools three.
  'elphapex__dg1plus_fw1.0.2_web_cgi': {
    make: 'Elphapex',
    model: 'DG1+',
    algorithm: 'scrypt',
    state: 'mining',
    hashrate: 14920.94e6,
    boards: 4,
    pools: 3,
  },
  // summary INFO type "DG-Home1", rate_5s 0 and elapsed 0: just started, not hashing yet; rate_ideal 3003.75 MH/s.
  elphapex__stock_web_cgi: {
    make: 'Elphapex',
    model: 'DG-Home1',
    algorithm: 'scrypt',
    state: 'starting',
    hashrate: 0,
    boards: 4,
    pools: 3,
  },
  // summary Mining Coin "Sia", Algorithm "Blake2b", Session "Average MHs" 1828940.24, three HBs.
  'epic__epic_miner_2.0.6_2021': {
    make: 'ePIC',
    algorithm: 'blake2b',
    state: 'mining',
    hashrate: 1828940.24e6,
    boards: 3,
    pools: 1,
  },
  // An Antminer S19 XP under ePIC's UMC firmware: summary hashrate, PSU input power 2166.6 W, two boards, four fans.
  epic__powerplay_umcos_http4028: {
    make: 'Antminer',
    model: 'S19 XP',
    algorithm: 'sha256d',
    state: 'mining',
    hashrate: 99365848e6,
    powerW: 2166.6174,
    boards: 2,
    fans: 4,
    pools: 1,
  },
  // devs: four boards of "hashrate" in MH/s (2992548.78 …, 12.45 TH/s in all), fans 2940 rpm; pools two.
  // No capture names the model (the pool is ckb, a CK5's coin): the algorithm is unknown, not guessed.
  goldshell__stock: {
    make: 'Goldshell',
    algorithm: 'unknown',
    state: 'mining',
    hashrate: 12452062364000,
    boards: 4,
    fans: 4,
    pools: 2,
  },
  // pools only, "cgminer 4.11.1": nothing names the machine or what it hashes.
  strongu__stock: { make: 'unknown', algorithm: 'unknown', pools: 3 },
};

function antminer(model: string, algorithm: string): Expected {
  return { make: 'Antminer', model, algorithm, state: 'mining' };
}
