import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import fa from './fa.json';
import ru from './ru.json';

/**
 * English, Persian and Russian, bundled (the three catalogues are small). The page's
 * `lang` and `dir` follow the language: Persian mirrors the whole layout.
 *
 * A message about a number of things is given `count` (a number) and has one key per
 * plural category of its language, as Intl.PluralRules names them: `_one` and `_other`
 * in English and Persian, `_one`, `_few`, `_many` and `_other` in Russian (1 устройство,
 * 3 устройства, 5 устройств, 1,5 устройства). i18next picks the key through
 * Intl.PluralRules; `{{count, number}}` writes the number in the language's digits.
 */
export const LANGUAGES = ['en', 'fa', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const catalogues = { en, fa, ru } as const;

const STORAGE_KEY = 'hashwatt.language';

/** The plural categories a language's messages about a count must each have a key for. */
export function pluralCategoriesOf(language: Language): readonly Intl.LDMLPluralRule[] {
  return new Intl.PluralRules(language).resolvedOptions().pluralCategories;
}

export function directionOf(language: string): 'rtl' | 'ltr' {
  return language === 'fa' ? 'rtl' : 'ltr';
}

function initialLanguage(): Language {
  const stored = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  const wanted = stored ?? (typeof navigator === 'undefined' ? 'en' : navigator.language.slice(0, 2));
  return LANGUAGES.find((language) => language === wanted) ?? 'en';
}

export async function setupI18n(language: Language = initialLanguage()): Promise<typeof i18next> {
  i18next.on('languageChanged', (next) => {
    if (typeof localStorage !== 'undefined') {
      localStorage.setItem(STORAGE_KEY, next);
    }
    if (typeof document !== 'undefined') {
      document.documentElement.lang = next;
      document.documentElement.dir = directionOf(next);
    }
  });
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, fa: { translation: fa }, ru: { translation: ru } },
    lng: language,
    fallbackLng: 'en',
    interpolation: { escapeValue: false },
    returnNull: false,
    // i18next's advertisement, printed on the console at start-up.
    showSupportNotice: false,
  });
  if (typeof document !== 'undefined') {
    document.documentElement.lang = language;
    document.documentElement.dir = directionOf(language);
  }
  return i18next;
}
