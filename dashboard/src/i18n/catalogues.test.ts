import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import en from './en.json';
import fa from './fa.json';
import { LANGUAGES, pluralCategoriesOf, setupI18n, type Language } from './index.ts';
import ru from './ru.json';

const catalogues = { en, fa, ru } as const;

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

/** The names a message interpolates, with or without a format (`{{count, number}}`). */
const placeholders = (text: string): string[] =>
  [...text.matchAll(/\{\{(\w+)(?:,[^}]*)?\}\}/g)].map((match) => match[1] ?? '').sort();

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** A catalogue's keys with the plural forms of one message folded into one key, and each one's forms. */
function pluralForms(keys: Iterable<string>): Map<string, string[]> {
  const forms = new Map<string, string[]>();
  for (const key of keys) {
    const category = PLURAL.exec(key)?.[1];
    const base = key.replace(PLURAL, '');
    forms.set(base, [...(forms.get(base) ?? []), ...(category === undefined ? [] : [category])]);
  }
  return forms;
}

describe('the catalogues', () => {
  const english = leaves(catalogues.en);

  it.each(['fa', 'ru'] as const)(
    '%s has every English key, no other, none empty, with the same placeholders',
    (language) => {
      const other = leaves(catalogues[language]);
      expect([...pluralForms(other.keys()).keys()].sort()).toEqual(
        [...pluralForms(english.keys()).keys()].sort(),
      );
      for (const [key, text] of other) {
        expect(text.trim(), key).not.toBe('');
        const englishText = english.get(key) ?? english.get(key.replace(PLURAL, '_other')) ?? '';
        expect(placeholders(text), key).toEqual(placeholders(englishText));
      }
    },
  );

  it('is translated, not copied: Persian words are in Arabic script and Russian ones in Cyrillic', () => {
    expect(leaves(catalogues.fa).get('reports.title')).toMatch(/^[\u0600-\u06FF\s\u200c]+$/);
    expect(leaves(catalogues.ru).get('reports.title')).toMatch(/^[\u0400-\u04FF\s]+$/);
  });

  it.each(LANGUAGES)(
    '%s has a form of each message about a count for every plural category of the language',
    (language: Language) => {
      const categories = [...pluralCategoriesOf(language)].sort();
      const counted = [...pluralForms(leaves(catalogues[language]).keys())].filter(
        ([, forms]) => forms.length > 0,
      );
      expect(counted.length).toBeGreaterThan(0);
      for (const [key, forms] of counted) {
        expect(forms.sort(), key).toEqual(categories);
      }
    },
  );

  it('agrees the noun with the count in Russian and writes the count in Persian digits', async () => {
    await setupI18n('ru');
    const shown = (count: number) => i18next.t('farms.shown', { shown: '1', count });
    expect([1, 21, 3, 24, 5, 11, 12, 111].map(shown)).toEqual([
      '1 из 1 устройства',
      '1 из 21 устройства',
      '1 из 3 устройств',
      '1 из 24 устройств',
      '1 из 5 устройств',
      '1 из 11 устройств',
      '1 из 12 устройств',
      '1 из 111 устройств',
    ]);
    expect(i18next.t('alerts.statuses.failed', { count: 22 })).toBe('Не отправлено после 22 попыток');
    expect(i18next.t('alerts.statuses.pending', { count: 2 })).toBe(
      'Ждёт повторной попытки (сделано 2 попытки)',
    );
    expect(i18next.t('alerts.statuses.pending', { count: 1 })).toBe(
      'Ждёт повторной попытки (сделана 1 попытка)',
    );
    // A status without a count message keeps its one text.
    expect(i18next.t('alerts.statuses.sent', { count: 3 })).toBe('Отправлено');
    await i18next.changeLanguage('en');
    expect(i18next.t('farms.shown', { shown: '1', count: 1 })).toBe('1 of 1 device');
    expect(i18next.t('farms.shown', { shown: '2', count: 1_500 })).toBe('2 of 1,500 devices');
    await i18next.changeLanguage('fa');
    expect(i18next.t('farms.shown', { shown: '۲', count: 1_500 })).toBe('۲ از ۱٬۵۰۰ دستگاه');
  });

  it.each(LANGUAGES)(
    '%s writes every count through a number format, so Persian shows Persian digits',
    (language) => {
      // `{{count}}` alone prints the raw number: "7", not "۷", in a Persian sentence.
      const bare = [...leaves(catalogues[language])].filter(([, text]) => text.includes('{{count}}'));
      expect(bare).toEqual([]);
    },
  );
});
