import { useTranslation } from 'react-i18next';

export interface LegendSeries {
  readonly label: string;
  readonly color: string;
  readonly values: readonly (number | null)[];
}

export interface LegendBand {
  readonly label: string;
  readonly color: string;
}

/**
 * The point the legend shows: the one hovered, else the latest with any figure (a chart
 * ending in a gap still says where it was last), else none: never a time the data lacks.
 */
export function legendIndex(
  times: readonly number[],
  series: readonly LegendSeries[],
  hovered: number | null,
): number | null {
  if (hovered !== null && hovered >= 0 && hovered < times.length) {
    return hovered;
  }
  for (let index = times.length - 1; index >= 0; index -= 1) {
    if (series.some((line) => line.values[index] !== null && line.values[index] !== undefined)) {
      return index;
    }
  }
  return null;
}

/** A chart's legend in the page's own direction: the time shown, each series' figure then, what the shading means. */
export function ChartLegend({
  times,
  series,
  bands = [],
  index,
  timeLabel,
  valueLabel,
}: {
  times: readonly number[];
  series: readonly LegendSeries[];
  bands?: readonly LegendBand[];
  index: number | null;
  timeLabel: (ms: number) => string;
  valueLabel: (value: number) => string;
}) {
  const { t } = useTranslation();
  const at = index === null ? undefined : times[index];
  // Each kind of shading once, however many spans of it the range holds.
  const kinds = [...new Map(bands.map((band) => [band.label, band])).values()];
  return (
    <div className="chart-legend">
      <p className="chart-legend-time" aria-live="polite">
        {at === undefined ? (
          t('charts.noData')
        ) : (
          <time dateTime={new Date(at).toISOString()}>{timeLabel(at)}</time>
        )}
      </p>
      <ul>
        {series.map((line) => {
          const value = index === null ? null : (line.values[index] ?? null);
          return (
            <li key={line.label}>
              <span className="swatch" style={{ background: line.color }} aria-hidden="true" />
              {line.label}: <strong>{value === null ? t('charts.gap') : valueLabel(value)}</strong>
            </li>
          );
        })}
        {kinds.map((band) => (
          <li key={band.label}>
            <span className="swatch band" style={{ background: band.color }} aria-hidden="true" />
            {band.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
