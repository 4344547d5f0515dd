import { cleanup, render, screen } from '@testing-library/react';
import i18next from 'i18next';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupI18n } from '../../i18n/index.ts';
import { HistorySection } from './history-section.tsx';
import { readerZone } from './zone-note.tsx';
import { readerClockIn } from '../../testing/reader-clock.ts';

describe("the reader's clock, named beside its times", () => {
  let machineClock: () => void = () => undefined;
  beforeAll(() => {
    machineClock = readerClockIn('Europe/Moscow');
  });
  afterEach(cleanup);
  afterAll(async () => {
    machineClock();
    await i18next.changeLanguage('en');
  });

  it('names the zone of the charts of a history in the reader’s language', async () => {
    for (const [language, note] of [
      ['en', 'Times are on your clock: Moscow Standard Time'],
      ['ru', 'Время по вашим часам: Москва, стандартное время'],
    ] as const) {
      await setupI18n(language);
      render(<HistorySection range="24h" onRange={() => undefined} failed={false} times={[]} charts={[]} />);
      expect(screen.getByText(note)).toBeTruthy();
      cleanup();
    }
  });

  it('names a zone with summer time as it is at the moment asked', () => {
    const moscow = readerClockIn('Europe/Berlin');
    expect(readerZone('en-GB', Date.UTC(2026, 0, 15))).toBe('Central European Standard Time');
    expect(readerZone('en-GB', Date.UTC(2026, 6, 15))).toBe('Central European Summer Time');
    moscow();
  });
});
