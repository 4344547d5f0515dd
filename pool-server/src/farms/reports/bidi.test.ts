import { describe, expect, it } from 'vitest';
import { visualWords } from './bidi.ts';

/** What the layout engine is handed for each word, left to right on the page. */
const handed = (line: string, direction: 'ltr' | 'rtl' | 'auto'): string[] =>
  visualWords(line, direction).map((word) => word.text);

describe('visual order of a report line', () => {
  it('lays a Persian line right to left, its number left to right', () => {
    // "Energy drawn: 518,900.0 kWh". Persian words go to fontkit as written (it shapes
    // and reverses them); the number goes reversed, so that fontkit's reversal rights it.
    expect(handed('انرژی مصرفی: ۵۱۸٬۹۰۰٫۰ کیلووات‌ساعت', 'rtl')).toEqual([
      'کیلووات‌ساعت',
      '۰٫۰۰۹٬۸۱۵',
      'مصرفی:',
      'انرژی',
    ]);
    expect(visualWords('۱۴۰۵', 'rtl')).toEqual([{ text: '۵۰۴۱', spacesBefore: 0 }]);
  });

  it('keeps a Latin name in a Persian line in its own order, its brackets mirrored around it', () => {
    expect(visualWords('مزرعه (Semnan Hall 2)', 'rtl')).toEqual([
      { text: '(', spacesBefore: 0 },
      { text: 'Semnan', spacesBefore: 0 },
      { text: 'Hall', spacesBefore: 1 },
      { text: '2', spacesBefore: 1 },
      { text: ')', spacesBefore: 0 },
      { text: 'مزرعه', spacesBefore: 1 },
    ]);
  });

  it('leaves a left-to-right line as it is, and orders a value by its first letter', () => {
    expect(handed('Energy drawn 518,900.0 kWh', 'ltr')).toEqual(['Energy', 'drawn', '518,900.0', 'kWh']);
    expect(handed('Kavir Mining Co.', 'auto')).toEqual(['Kavir', 'Mining', 'Co.']);
    // On a right-to-left page the same name would lose its full stop to the far left.
    expect(handed('Kavir Mining Co.', 'rtl')).toEqual(['.', 'Kavir', 'Mining', 'Co']);
    expect(visualWords('a  b', 'ltr')).toEqual([
      { text: 'a', spacesBefore: 0 },
      { text: 'b', spacesBefore: 2 },
    ]);
  });
});
