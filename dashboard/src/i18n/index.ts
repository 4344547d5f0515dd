import i18next, { type BackendModule, type ResourceKey } from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * English, Persian and Russian, each catalogue a file of its own that loads with its
 * language: a page in one language does not download the other two (together they
 * weighed a fifth of the landing page's JavaScript). English, the fallback, comes along
 * with the others. The page's `lang` and `dir` follow the language: Persian mirrors
 * the whole layout.
 *
 * A message about a number of things is given `count` (a number) and has one key per
 * plural category of its language, as Intl.PluralRules names them: `_one` and `_other`
 * in English and Persian, `_one`, `_few`, `_many` and `_other` in Russian (1 устройство,
 * 3 устройства, 5 устройств, 1,5 устройства). i18next picks the key through
 * Intl.PluralRules; `{{count, number}}` writes the number in the language's digits.
 */
export const LANGUAGES = ['en', 'fa', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

const loaders: Readonly<Record<Language, () => Promise<{ default: ResourceKey }>>> = {
  en: () => import('./en.json'),
  fa: () => import('./fa.json'),
  ru: () => import('./ru.json'),
};

/** i18next's backend: a language's catalogue is fetched the first time it is needed. */
const catalogueLoader: BackendModule = {
  type: 'backend',
  init() {
    // Nothing to set up: the catalogues are the build's own chunks.
  },
  read(language, _namespace, done) {
    const load = LANGUAGES.find((known) => known === language);
    if (load === undefined) {
      done(new Error(`no catalogue for ${language}`), false);
      return;
    }
    loaders[load]().then(
      (catalogue) => {
        done(null, catalogue.default);
      },
      (error: unknown) => {
        done(error instanceof Error ? error : new Error(String(error)), false);
      },
    );
  },
};

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
  await i18next
    .use(catalogueLoader)
    .use(initReactI18next)
    .init({
      lng: language,
      supportedLngs: LANGUAGES,
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
