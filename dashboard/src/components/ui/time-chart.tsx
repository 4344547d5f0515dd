import type uPlot from 'uplot';
import { useEffect, useRef } from 'react';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

/**
 * A time series with uPlot, which draws 43,200 points (30 days of minutes) in a few
 * milliseconds. It loads with the first chart, not with the app. Time runs left to
 * right in every language (a chart is read that way in Persian too); its labels are
 * the reader's own, through `timeLabel` and `valueLabel`.
 */
export function TimeChart({
  times,
  series,
  timeLabel,
  valueLabel,
  height = 240,
  title,
}: {
  times: readonly number[];
  series: readonly ChartSeries[];
  timeLabel: (ms: number) => string;
  valueLabel: (value: number) => string;
  height?: number;
  title: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (!element) {
      return;
    }
    let plot: uPlot | undefined;
    let cancelled = false;
    const resize = new ResizeObserver(() => {
      plot?.setSize({ width: element.clientWidth, height });
    });
    void import('./uplot.ts').then(({ UPlot }) => {
      if (cancelled) {
        return;
      }
      plot = new UPlot(
        {
          width: element.clientWidth,
          height,
          legend: { show: true },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: true } },
          axes: [
            { values: (_chart, splits) => splits.map((split) => timeLabel(split * 1000)) },
            { values: (_chart, splits) => splits.map((split) => valueLabel(split)), size: 90 },
          ],
          series: [
            { value: (_chart, raw) => timeLabel(raw * 1000) },
            ...series.map((line) => ({
              label: line.label,
              stroke: line.color,
              width: 1.5,
              value: (_chart: uPlot, raw: number | null) => (raw === null ? '' : valueLabel(raw)),
            })),
          ],
        },
        [times.map((ms) => ms / 1000), ...series.map((line) => [...line.values])] as uPlot.AlignedData,
        element,
      );
      resize.observe(element);
    });
    return () => {
      cancelled = true;
      resize.disconnect();
      plot?.destroy();
    };
  }, [times, series, timeLabel, valueLabel, height]);
  return (
    <div
      className="chart"
      dir="ltr"
      role="img"
      aria-label={title}
      ref={container}
      style={{ minHeight: height }}
    />
  );
}
