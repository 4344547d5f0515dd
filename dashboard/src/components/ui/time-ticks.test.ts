import { describe, expect, it } from 'vitest';
import { chartTimeFor } from './chart-time.ts';
import { LABEL_GAP_PX, timeTicks } from './time-ticks.ts';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 6, 12, 2, 30);
/** A phone (390 px) and a desktop (1440 px), less the page's padding and the value axis (90 px). */
const PLOT_WIDTHS = { phone: 390 - 32 - 90, desktop: 1440 - 64 - 90 } as const;
const RANGES = { '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR } as const;
/** Tehran (+03:30), Irkutsk (+08:00), London in winter. */
const OFFSETS = [12_600_000, 28_800_000, 0];

/** A label's width as the chart estimates it without a canvas: 7 px a character. */
const widthOf = (text: string): number => text.length * 7;

describe('time axis ticks', () => {
  for (const language of ['en', 'fa', 'ru']) {
    const labelWidthPx = Math.max(...chartTimeFor(language).samples.map(widthOf));
    for (const [device, widthPx] of Object.entries(PLOT_WIDTHS)) {
      for (const [range, spanMs] of Object.entries(RANGES)) {
        it(`never overlaps in ${language} on a ${device} over ${range}`, () => {
          for (const offsetMs of OFFSETS) {
            const fromMs = NOW - spanMs;
            const { ticks } = timeTicks({ fromMs, toMs: NOW, widthPx, labelWidthPx, offsetMs });
            const px = ticks.map((tick) => ((tick - fromMs) / spanMs) * widthPx);
            expect(ticks.length, String(offsetMs)).toBeGreaterThanOrEqual(2);
            for (let index = 1; index < px.length; index += 1) {
              expect((px[index] ?? 0) - (px[index - 1] ?? 0)).toBeGreaterThanOrEqual(
                labelWidthPx + LABEL_GAP_PX,
              );
            }
            // Centred on their ticks, the first and last labels stay inside the plot.
            expect(px[0]).toBeGreaterThanOrEqual(labelWidthPx / 2);
            expect(px.at(-1)).toBeLessThanOrEqual(widthPx - labelWidthPx / 2);
          }
        });
      }
    }
  }

  it('gives a phone fewer labels than a desktop, on round local hours', () => {
    const request = { fromMs: NOW - RANGES['24h'], toMs: NOW, labelWidthPx: 40, offsetMs: 12_600_000 };
    const phone = timeTicks({ ...request, widthPx: PLOT_WIDTHS.phone });
    const desktop = timeTicks({ ...request, widthPx: PLOT_WIDTHS.desktop });
    expect(phone.ticks.length).toBeLessThan(desktop.ticks.length);
    expect(phone.stepMs).toBeGreaterThan(desktop.stepMs);
    // Every tick on a whole local hour in Tehran: half past in UTC.
    for (const tick of [...phone.ticks, ...desktop.ticks]) {
      expect((tick + 12_600_000) % HOUR).toBe(0);
    }
  });

  it('labels local midnight with the day, in the Solar Hijri calendar and Persian digits in Persian', () => {
    const time = chartTimeFor('fa');
    // Midnight of 15 Azar 1405 in the test's time zone.
    const midnight = new Date(2026, 11, 6).getTime();
    expect(time.tick(midnight, HOUR)).toBe('۱۵ آذر');
    expect(time.tick(midnight + 13 * HOUR + 5 * 60_000, HOUR)).toBe('۱۳:۰۵');
    expect(chartTimeFor('en').tick(midnight + 13 * HOUR, 24 * HOUR)).toBe('6 Dec');
    expect(chartTimeFor('ru').tick(midnight, HOUR)).toBe('6 дек.');
  });
});
