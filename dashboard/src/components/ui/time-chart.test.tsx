import { cleanup, render, screen } from '@testing-library/react';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../testing/component-tests.ts';
import { stubResizeObserver } from '../../testing/resize-observer.ts';
import { ChartLegend, legendIndex } from './chart-legend.tsx';
import { chartTimeFor } from './chart-time.ts';
import { TimeChart } from './time-chart.tsx';

/** Three hourly points; the last has no reading (a gap), the middle one only for the second line. */
const TIMES = [Date.UTC(2026, 11, 6, 8), Date.UTC(2026, 11, 6, 9), Date.UTC(2026, 11, 6, 10)];
const SERIES = [
  { label: 'Reported', color: '#f00', values: [100, null, null] },
  { label: 'Pool', color: '#00f', values: [90, 80, null] },
];
const number = (value: number): string => `${String(value)} TH/s`;

describe('a time chart’s legend', () => {
  setupComponentTests();

  it('shows the latest point with a figure before any hover: never 1 Jan 1970, never “Time”', async () => {
    // jsdom has neither layout observers nor a canvas: uPlot cannot draw here, the legend still reads.
    stubResizeObserver();
    render(<TimeChart title="Hashrate" times={TIMES} series={SERIES} valueLabel={number} />);
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'The chart could not be drawn; the figures below still hold.',
    );
    const legend = document.querySelector('.chart-legend');
    expect(legend?.querySelector('time')?.getAttribute('datetime')).toBe('2026-12-06T09:00:00.000Z');
    expect(legend?.textContent).toContain('Reported: no reading');
    expect(legend?.textContent).toContain('Pool: 80 TH/s');
    expect(legend?.textContent).not.toMatch(/1970|Time/);
  });

  it('keeps its plot across re-renders with the same data, as a hover makes them', async () => {
    const observers = stubResizeObserver();
    const chart = (title: string) => (
      <TimeChart title={title} times={TIMES} series={SERIES} valueLabel={number} />
    );
    const { rerender } = render(chart('Hashrate'));
    await screen.findByRole('alert');
    rerender(chart('Hashrate'));
    rerender(chart('Hashrate'));
    // One plot set up: a chart without bands is not drawn again on each render.
    expect(observers.made()).toBe(1);
  });

  it('follows the hovered point, gaps included, and falls back to the latest when the cursor leaves', () => {
    expect(legendIndex(TIMES, SERIES, null)).toBe(1);
    expect(legendIndex(TIMES, SERIES, 0)).toBe(0);
    expect(legendIndex(TIMES, SERIES, 2)).toBe(2);
    expect(legendIndex(TIMES, SERIES, 7)).toBe(1);
    expect(legendIndex([], [], null)).toBeNull();
    const time = chartTimeFor('en');
    const { rerender } = render(
      <ChartLegend times={TIMES} series={SERIES} index={0} timeLabel={time.moment} valueLabel={number} />,
    );
    expect(screen.getByText(time.moment(TIMES[0] ?? 0))).toBeTruthy();
    expect(document.querySelector('.chart-legend')?.textContent).toContain('Reported: 100 TH/s');
    rerender(
      <ChartLegend times={TIMES} series={SERIES} index={2} timeLabel={time.moment} valueLabel={number} />,
    );
    expect(document.querySelector('time')?.getAttribute('datetime')).toBe('2026-12-06T10:00:00.000Z');
    expect(document.querySelector('.chart-legend')?.textContent).toContain('Pool: no reading');
    rerender(<ChartLegend times={[]} series={[]} index={null} timeLabel={time.moment} valueLabel={number} />);
    expect(document.querySelector('.chart-legend')?.textContent).toBe('Nothing recorded in this range');
  });

  it('names each kind of shading once, however many spans of it there are', () => {
    const window = { label: 'Restricted window', color: 'rgba(0,0,0,0.1)' };
    render(
      <ChartLegend
        times={TIMES}
        series={SERIES}
        bands={[window, window, { label: 'Curtailment order', color: 'rgba(1,0,0,0.1)' }]}
        index={0}
        timeLabel={String}
        valueLabel={number}
      />,
    );
    expect(screen.getAllByText('Restricted window')).toHaveLength(1);
    expect(screen.getAllByText('Curtailment order')).toHaveLength(1);
  });

  it('reads the time in the Solar Hijri calendar with Persian digits, and its words in Persian and Russian', async () => {
    await i18next.changeLanguage('fa');
    const persian = chartTimeFor('fa');
    render(
      <ChartLegend
        times={TIMES}
        series={SERIES}
        index={legendIndex(TIMES, SERIES, null)}
        timeLabel={persian.moment}
        valueLabel={number}
      />,
    );
    const shown = document.querySelector('time')?.textContent ?? '';
    // 15 Azar 1405, whatever hour the test's time zone makes of 09:00Z.
    expect(shown).toMatch(/آذر/);
    expect(shown).toMatch(/۱۴۰۵/);
    expect(shown).not.toMatch(/[0-9]|Dec|۱۳۴۸/);
    expect(document.querySelector('.chart-legend')?.textContent).toContain('Reported: بی‌خوانش');
    cleanup();
    render(
      <ChartLegend times={[]} series={[]} index={null} timeLabel={persian.moment} valueLabel={number} />,
    );
    expect(screen.getByText('در این بازه چیزی ثبت نشده است')).toBeTruthy();
    cleanup();
    await i18next.changeLanguage('ru');
    render(
      <ChartLegend
        times={TIMES}
        series={SERIES}
        index={2}
        timeLabel={chartTimeFor('ru').moment}
        valueLabel={number}
      />,
    );
    expect(document.querySelector('.chart-legend')?.textContent).toContain('Pool: нет данных');
    expect(document.querySelector('time')?.textContent).toMatch(/6 дек\. 2026/);
  });
});
