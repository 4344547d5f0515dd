import bidiModule from 'bidi-js';

/**
 * One line of mixed-direction text as a PDF draws it: words in visual order, left to
 * right. PDFKit lays each string out with fontkit, which shapes Arabic script (joining
 * forms) but then reverses any string whose script is right-to-left, and has no notion
 * of the bidirectional algorithm: Persian digits, Latin names and punctuation come out
 * backwards. So the Unicode Bidirectional Algorithm (bidi-js) orders the line, and each
 * word in Arabic script is handed to fontkit in the order its reversal restores.
 */

// bidi-js is CommonJS and its typings declare an ES default export; under NodeNext the
// default import is typed as the whole module while at run time it is the factory.
const bidiFactory = bidiModule as unknown as typeof bidiModule.default;
const bidi = bidiFactory();
const ARABIC_SCRIPT = /[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]/;
const SPACE = /\s/;

export interface VisualWord {
  /** What to give the layout engine: drawn as is, it shows this word correctly. */
  readonly text: string;
  /** Spaces before it on the line (its left), in visual order. */
  readonly spacesBefore: number;
}

/** `auto` takes the direction of the line's first strong letter (left-to-right when it has none). */
export function visualWords(line: string, direction: 'ltr' | 'rtl' | 'auto'): VisualWord[] {
  const embedding = bidi.getEmbeddingLevels(line, direction);
  const mirrored = bidi.getMirroredCharactersMap(line, embedding.levels);
  // bidi-js counts UTF-16 code units, so the order does too.
  const order = Array.from({ length: line.length }, (_, index) => index);
  for (const [start = 0, end = -1] of bidi.getReorderSegments(line, embedding)) {
    order.splice(start, end - start + 1, ...order.slice(start, end + 1).reverse());
  }
  const words: VisualWord[] = [];
  // Code units in visual order; Arabic script has no surrogate pairs to keep together.
  let word: string[] = [];
  let level = -1;
  let spaces = 0;
  const flush = (): void => {
    if (word.length > 0) {
      const text = word.join('');
      words.push({
        text: ARABIC_SCRIPT.test(text) ? word.reverse().join('') : text,
        spacesBefore: spaces,
      });
      word = [];
      spaces = 0;
    }
  };
  for (const index of order) {
    const char = mirrored.get(index) ?? line.charAt(index);
    if (SPACE.test(char)) {
      flush();
      spaces += 1;
      continue;
    }
    const charLevel = embedding.levels[index] ?? 0;
    // A change of direction ends a word even without a space: each word is one direction.
    if (word.length > 0 && charLevel % 2 !== level % 2) {
      flush();
    }
    level = charLevel;
    word.push(char);
  }
  flush();
  return words;
}
