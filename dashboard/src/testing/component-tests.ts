import { act, cleanup } from '@testing-library/react';
import i18next from 'i18next';
import { afterEach, beforeAll, vi } from 'vitest';
import { setupI18n, type Language } from '../i18n/index.ts';

/**
 * What every component test file's `describe` needs around its tests: the catalogues set
 * up in `language` before the first; after each, the page unmounted, the globals a test
 * stubbed (fetch, ResizeObserver, EventSource) restored, and the language a test may have
 * switched set back, so that no test sees what the one before it left.
 */
export function setupComponentTests(language: Language = 'en'): void {
  beforeAll(async () => {
    await setupI18n(language);
  });
  afterEach(async () => {
    cleanup();
    vi.unstubAllGlobals();
    // A query still settling re-renders on the switch: inside act, as React asks.
    await act(() => i18next.changeLanguage(language));
  });
}
