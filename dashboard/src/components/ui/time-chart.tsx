import type uPlot from 'uplot';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ChartLegend, legendIndex, type LegendBand } from './chart-legend.tsx';
import { chartTimeFor } from './chart-time.ts';
import { timeTicks } from './time-ticks.ts';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

/** A span of time shaded behind the lines: a restricted window, a curtailment order. */
export interface ChartBand extends LegendBand {
  readonly fromMs: number;
  readonly toMs: number;
}

const AXIS_FONT = '12px system-ui, sans-serif';
/** One empty list for every chart without bands: a new one each render would redraw the plot on every hover. */
const NO_BANDS: readonly ChartBand[] = [];
let measuring: CanvasRenderingContext2D | null | undefined;

/** A label's width in the axis font, CSS px; where there is no canvas, 7 px a character. */
function labelWidth(text: string): number {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (!measuring) {
    return text.length * 7;
  }
  measuring.font = AXIS_FONT;
  return measuring.measureText(text).width;
}

/** Local time's offset from UTC at a moment, as the browser formats it. */
const offsetAt = (ms: number): number => -new Date(ms).getTimezoneOffset() * 60_000;

/**
 * A time series with uPlot, which draws 43,200 points (30 days of minutes) in a few
 * milliseconds. It loads with the first chart, not with the app. Time runs left to
 * right in every language (a chart is read that way in Persian too), with as many axis
 * labels as fit the width (time-ticks.ts) in the reader's calendar. The legend is the
 * page's own, below the plot: the hovered point, or the latest with a figure before any
 * hover; a null is a gap in the line and in the legend, never a 0.
 */
export function TimeChart({
  times,
  series,
  bands = NO_BANDS,
  timeLabel,
  valueLabel,
  height = 240,
  title,
  caption = false,
}: {
  times: readonly number[];
  series: readonly ChartSeries[];
  bands?: readonly ChartBand[];
  /** How the legend words the time shown; the date and time by default. */
  timeLabel?: (ms: number) => string;
  valueLabel: (value: number) => string;
  height?: number;
  title: string;
  /** Show the title above the plot: for several charts in one section. */
  caption?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const time = chartTimeFor(i18n.language);
  const container = useRef<HTMLDivElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);
  const [failed, setFailed] = useState(false);
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
    const widest = Math.max(...time.samples.map(labelWidth));
    const stepOf = (splits: readonly number[]): number =>
      splits.length > 1 ? ((splits[1] ?? 0) - (splits[0] ?? 0)) * 1000 : Number.POSITIVE_INFINITY;
    void import('./uplot.ts')
      .then(({ UPlot }) => {
        if (cancelled) {
          return;
        }
        plot = new UPlot(
          {
            width: element.clientWidth,
            height,
            legend: { show: false },
            cursor: { drag: { x: true, y: false } },
            scales: { x: { time: true } },
            axes: [
              {
                font: AXIS_FONT,
                splits: (chart, _axis, min, max) =>
                  timeTicks({
                    fromMs: min * 1000,
                    toMs: max * 1000,
                    widthPx: chart.over.clientWidth || element.clientWidth,
                    labelWidthPx: widest,
                    offsetMs: offsetAt(min * 1000),
                  }).ticks.map((ms) => ms / 1000),
                values: (_chart, splits) => splits.map((split) => time.tick(split * 1000, stepOf(splits))),
              },
              {
                font: AXIS_FONT,
                values: (_chart, splits) => splits.map((split) => valueLabel(split)),
                size: 90,
              },
            ],
            series: [{}, ...series.map((line) => ({ label: line.label, stroke: line.color, width: 1.5 }))],
            hooks: {
              setCursor: [
                (chart) => {
                  setHovered(chart.cursor.idx ?? null);
                },
              ],
              // Behind the lines: each band from its start to its end, the plot's full height.
              drawClear: [
                (chart) => {
                  const { ctx, bbox } = chart;
                  for (const band of bands) {
                    const left = Math.max(bbox.left, chart.valToPos(band.fromMs / 1000, 'x', true));
                    const right = Math.min(
                      bbox.left + bbox.width,
                      chart.valToPos(band.toMs / 1000, 'x', true),
                    );
                    if (right > left) {
                      ctx.fillStyle = band.color;
                      ctx.fillRect(left, bbox.top, right - left, bbox.height);
                    }
                  }
                },
              ],
            },
          },
          [times.map((ms) => ms / 1000), ...series.map((line) => [...line.values])] as uPlot.AlignedData,
          element,
        );
        resize.observe(element);
      })
      .catch(() => {
        // The chunk did not load (a dropped connection) or the browser cannot draw: the legend still reads.
        setFailed(true);
      });
    return () => {
      cancelled = true;
      resize.disconnect();
      plot?.destroy();
    };
  }, [times, series, bands, time, valueLabel, height]);
  return (
    <figure className="time-chart">
      {caption ? <figcaption>{title}</figcaption> : null}
      {failed ? <p role="alert">{t('charts.notDrawn')}</p> : null}
      <div
        className="chart"
        dir="ltr"
        role="img"
        aria-label={title}
        ref={container}
        style={{ minHeight: height }}
      />
      <ChartLegend
        times={times}
        series={series}
        bands={bands}
        index={legendIndex(times, series, hovered)}
        timeLabel={timeLabel ?? time.moment}
        valueLabel={valueLabel}
      />
    </figure>
  );
}
