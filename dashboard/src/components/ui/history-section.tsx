import type { SeriesRange } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { RangeSwitch } from './range-switch.tsx';
import { Section } from './stat.tsx';
import { TimeChart, type ChartBand, type ChartSeries } from './time-chart.tsx';
import { ZoneNote } from './zone-note.tsx';

/** One chart of a history: its title, its lines in one unit, and how a value of that unit reads. */
export interface HistoryChart {
  readonly title: string;
  readonly series: readonly ChartSeries[];
  readonly valueLabel: (value: number) => string;
}

/**
 * A history section: the 24 h / 7 d / 30 d switch, and its charts over the same times
 * with the same shading, on the reader's clock (named); `charts` is undefined while the
 * first answer is on its way.
 */
export function HistorySection({
  range,
  onRange,
  failed,
  times,
  charts,
  bands,
}: {
  range: SeriesRange;
  onRange: (range: SeriesRange) => void;
  failed: boolean;
  times: readonly number[];
  charts: readonly HistoryChart[] | undefined;
  bands?: readonly ChartBand[];
}) {
  const { t } = useTranslation();
  return (
    <Section title={t('charts.history')} actions={<RangeSwitch range={range} onChange={onRange} />}>
      {failed ? <p role="alert">{t('charts.failed')}</p> : null}
      {charts ? (
        <div className="charts">
          {charts.map((chart) => (
            <TimeChart
              key={chart.title}
              caption
              title={chart.title}
              times={times}
              series={chart.series}
              {...(bands !== undefined && { bands })}
              valueLabel={chart.valueLabel}
            />
          ))}
          <ZoneNote />
        </div>
      ) : (
        <p aria-busy="true">{t('app.loading')}</p>
      )}
    </Section>
  );
}
