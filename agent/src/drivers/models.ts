/**
 * What each miner model is: its maker, what it hashes, the unit its firmware really
 * writes hashrates in, and its nameplate figures. Drivers look a model up here rather
 * than guess: a D3's `GHS 5s` of 16346 is 16.3 GH/s of X11, not 16.3 TH/s of SHA-256,
 * and only SHA-256 hashrate may ever be counted as Bitcoin hashrate.
 *
 * A model not in the table keeps the maker its firmware names and the algorithm of
 * its series (every Antminer S or T is SHA-256), else `unknown`: never sha256d by
 * default, so an unidentified scrypt or X11 box cannot inflate a farm's Bitcoin figures.
 */

import { unitScale } from './fields.ts';
import { MODELS, SERIES, type Algorithm, type Make, type ModelRow, type Prefix } from './model-table.ts';

export type { Make, Prefix } from './model-table.ts';

/** Equihash counts solutions, not hashes: its hashrates are Sol/s. */
export function baseUnit(algorithm: string): 'H/s' | 'Sol/s' {
  return algorithm === 'equihash' ? 'Sol/s' : 'H/s';
}

/** `value` in `prefix` units of the algorithm's base unit, in the base unit. */
export function inBaseUnit(value: number, prefix: Prefix): number {
  // A prefix is one of unitScale's letters, so it always has a scale.
  return value * (unitScale(prefix) ?? 1);
}

/** How the unit is written for `prefix`: `MH/s`, `kSol/s`. */
export function unitLabel(prefix: Prefix, algorithm: string): string {
  return `${prefix === 'K' ? 'k' : prefix === 'H' ? '' : prefix}${baseUnit(algorithm)}`;
}

/** Words in a firmware's banner or model name that give its maker away. */
const MAKE_WORDS: readonly (readonly [RegExp, Make])[] = [
  [/\b(?:antminer|bitmain|bmminer)\b/i, 'Antminer'],
  [/\b(?:whatsminer|microbt|btminer)\b/i, 'Whatsminer'],
  [/\b(?:avalon(?:miner)?|canaan)\b/i, 'Avalon'],
  [/\b(?:innosilicon|innominer)\b/i, 'Innosilicon'],
  [/\b(?:strongu|stu)\b/i, 'StrongU'],
  [/\bibelink\b/i, 'iBeLink'],
  [/\bgoldshell\b/i, 'Goldshell'],
  [/\b(?:bitaxe|axeos)\b/i, 'Bitaxe'],
  [/\b(?:auradine|teraflux|fluxos|gcminer)\b/i, 'Auradine'],
  [/\belphapex\b/i, 'Elphapex'],
];

/** Lower case; "Hydro" and "Hyd." as "hyd"; split at spaces, dashes and underscores; Whatsminer's "V20" apart. */
function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\bhydro?\b\.?/g, 'hyd')
    .replace(/\(.*?\)/g, ' ')
    .split(/[\s_/,]+|-(?![a-z]*doge)/)
    .flatMap((token) => {
      // M30S++V20, M50S+VH40: the chip bin is not part of the model.
      const bin = /^(m\d+[a-z]*\+*)(v[a-z]?\d+)$/.exec(token);
      return bin?.[1] !== undefined ? [bin[1]] : [token.replace(/\.$/, '')];
    })
    .filter((token) => token.length > 0);
}

const ROW_TOKENS = MODELS.map((entry) => ({ entry, words: tokens(entry.model) }));

export interface ModelFacts {
  readonly make?: Make;
  readonly algorithm: Algorithm;
  /** The listed model it is, when it is one; its nameplate figures come with it. */
  readonly row?: ModelRow;
  readonly cgminerUnit?: Prefix;
  readonly nominalHashrate?: number;
  readonly nominalPowerW?: number;
}

/** The maker a banner or model name names, if any. */
function makeIn(text: string): Make | undefined {
  return MAKE_WORDS.find(([words]) => words.test(text))?.[1];
}

/**
 * What a device is, from the model name or banner its firmware gives (`Antminer D3
 * Blissz v2.06 beta`, `innominer a9-1.1.0`, `STU-U6`) and the maker its driver knows
 * it to be, if any. The longest listed model whose words appear in the text wins;
 * without one, its series; without a series, only its maker, algorithm `unknown`.
 */
export function identifyModel(text: string | undefined, knownMake?: Make): ModelFacts {
  const named = text === undefined ? undefined : makeIn(text);
  const make = knownMake ?? named;
  if (text === undefined) {
    return { ...(make && { make }), algorithm: 'unknown' };
  }
  const words = tokens(text);
  const found = ROW_TOKENS.filter(
    ({ entry, words: modelWords }) =>
      (make === undefined || entry.make === make) && containsRun(words, modelWords),
  ).sort((a, b) => b.words.length - a.words.length);
  const longest = found[0];
  // The same words naming two makers' models (no maker known) identify neither.
  const ambiguous = found.some(
    (other) => other.words.length === longest?.words.length && other.entry.make !== longest.entry.make,
  );
  const best = ambiguous ? undefined : longest?.entry;
  if (best) {
    return {
      make: best.make,
      algorithm: best.algorithm,
      row: best,
      ...(best.cgminerUnit && { cgminerUnit: best.cgminerUnit }),
      ...(best.nominal && {
        nominalHashrate: inBaseUnit(best.nominal[0], best.nominal[1]),
        nominalPowerW: best.nominal[2],
      }),
    };
  }
  const series =
    make === undefined
      ? undefined
      : SERIES.find((entry) => entry.make === make && words.some((word) => entry.name.test(word)));
  return {
    ...(make && { make }),
    algorithm: series?.algorithm ?? 'unknown',
    ...(series?.cgminerUnit && { cgminerUnit: series.cgminerUnit }),
  };
}

function containsRun(words: readonly string[], run: readonly string[]): boolean {
  for (let start = 0; start + run.length <= words.length; start += 1) {
    if (run.every((word, i) => words[start + i] === word)) {
      return true;
    }
  }
  return false;
}

/**
 * An algorithm's name as mining software writes it (`SHA256`, `Ethash`, `ZelHash`,
 * `rx/0`) in the table's words where it is one of them; other names kept, lower case.
 */
export function algorithmName(name: string | undefined): string {
  if (name === undefined || name.trim() === '') {
    return 'unknown';
  }
  const plain = name.trim().toLowerCase();
  const aliases: Readonly<Record<string, Algorithm>> = {
    sha256: 'sha256d',
    'sha-256': 'sha256d',
    sha256d: 'sha256d',
    'double-sha256': 'sha256d',
    kaspa: 'kheavyhash',
    heavyhash: 'kheavyhash',
    kadena: 'blake2s',
    sia: 'blake2b',
    alephium: 'blake3',
  };
  return aliases[plain] ?? plain;
}

/**
 * A model under firmware that mines SHA-256 only (Braiins OS, LuxOS, btminer, AxeOS):
 * the table's facts, and SHA-256 where the table does not know the model, since the
 * firmware itself says so.
 */
export function identifyBitcoinModel(text: string | undefined, knownMake?: Make): ModelFacts {
  const facts = identifyModel(text, knownMake);
  return facts.algorithm === 'unknown' ? { ...facts, algorithm: 'sha256d' } : facts;
}

/** The nameplate figures of `facts` as identity fields, absent when the table has none. */
export function nominalOf(facts: ModelFacts): { nominalHashrate?: number; nominalPowerW?: number } {
  return {
    ...(facts.nominalHashrate !== undefined && { nominalHashrate: facts.nominalHashrate }),
    ...(facts.nominalPowerW !== undefined && { nominalPowerW: facts.nominalPowerW }),
  };
}
