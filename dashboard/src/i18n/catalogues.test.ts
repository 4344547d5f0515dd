import { describe, expect, it } from 'vitest';
import { catalogues } from './index.ts';

interface Tree {
  readonly [key: string]: string | Tree;
}

/** Every leaf of a catalogue as `a.b.c` → its text. */
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const found = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (typeof value === 'string') {
      found.set(path, value);
    } else {
      for (const [leaf, text] of leaves(value, path)) {
        found.set(leaf, text);
      }
    }
  }
  return found;
}

const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1] ?? '').sort();

describe('the catalogues', () => {
  const english = leaves(catalogues.en);

  it.each(['fa', 'ru'] as const)(
    '%s has every English key, no other, none empty, with the same placeholders',
    (language) => {
      const other = leaves(catalogues[language]);
      expect([...other.keys()].sort()).toEqual([...english.keys()].sort());
      for (const [key, text] of other) {
        expect(text.trim(), key).not.toBe('');
        expect(placeholders(text), key).toEqual(placeholders(english.get(key) ?? ''));
      }
    },
  );

  it('is translated, not copied: Persian words are in Arabic script and Russian ones in Cyrillic', () => {
    expect(leaves(catalogues.fa).get('reports.title')).toMatch(/^[\u0600-\u06FF\s\u200c]+$/);
    expect(leaves(catalogues.ru).get('reports.title')).toMatch(/^[\u0400-\u04FF\s]+$/);
  });
});
