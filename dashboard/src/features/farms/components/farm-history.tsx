import type { FarmSeries, SeriesRange, SeriesSpan } from '@hashwatt/schemas';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePowerText } from '../../../components/ui/figure.tsx';
import { HistorySection, type HistoryChart } from '../../../components/ui/history-section.tsx';
import type { ChartBand, ChartSeries } from '../../../components/ui/time-chart.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useFarmSeries } from '../api/get-series.ts';

/** Translucent, so the lines read through: amber for a restricted window, red for an order. */
const SHADES: Readonly<Record<SeriesSpan['kind'], string>> = {
  'restricted-window': 'rgba(247, 147, 26, 0.16)',
  'curtailment-order': 'rgba(198, 40, 40, 0.16)',
  'meter-read-failed': 'rgba(110, 110, 110, 0.22)',
};
const SPAN_LABELS = {
  'restricted-window': 'charts.restrictedWindow',
  'curtailment-order': 'charts.curtailmentOrder',
  'meter-read-failed': 'charts.meterReadFailed',
} as const satisfies Record<SeriesSpan['kind'], string>;
const NO_TIMES: readonly number[] = [];
const NO_BANDS: readonly ChartBand[] = [];

type Point = FarmSeries['points'][number];

/**
 * A farm's history: the hashrate its devices reported against what the pool measured,
 * its power (meters' and devices') and the energy its meters counted, with restricted
 * windows, curtailment orders and the times a meter's reads failed shaded behind each.
 */
export function FarmHistory({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const [range, setRange] = useState<SeriesRange>('24h');
  const { data, isError } = useFarmSeries(farmId, range);
  const times = useMemo(() => data?.points.map((point) => Date.parse(point.time)) ?? NO_TIMES, [data]);
  const bands = useMemo(
    () =>
      data?.spans.map((span) => ({
        // A failed meter's reason stays in the agent's words (English), as everywhere else.
        label: t(SPAN_LABELS[span.kind], { meter: span.meter ?? '', reason: span.reason ?? '' }),
        color: SHADES[span.kind],
        fromMs: Date.parse(span.from),
        toMs: Date.parse(span.to),
      })) ?? NO_BANDS,
    [data, t],
  );
  const charts = useMemo((): HistoryChart[] | undefined => {
    if (!data) {
      return undefined;
    }
    const line = (label: string, color: string, pick: (point: Point) => number | null): ChartSeries => ({
      label,
      color,
      values: data.points.map(pick),
    });
    return [
      {
        title: t('charts.hashrate'),
        series: [
          line(t('charts.hashrateReported'), '#f7931a', (point) => point.reportedHashrate),
          line(t('charts.hashratePool'), '#2c7be5', (point) => point.poolHashrate),
        ],
        valueLabel: format.hashrate,
      },
      {
        title: t('charts.power'),
        series: [
          line(t('charts.meterPower'), '#16a085', (point) => point.meterPowerW),
          line(t('charts.devicePower'), '#8e44ad', (point) => point.devicePowerW),
        ],
        valueLabel: power,
      },
      {
        title: t('charts.energyPerBucket', { minutes: format.number(data.bucketSeconds / 60) }),
        series: [line(t('charts.energy'), '#2c7be5', (point) => point.energyKwh)],
        valueLabel: (value) => t('farms.kwh', { value: format.number(value, 1) }),
      },
    ];
  }, [data, t, format, power]);
  return (
    <HistorySection
      range={range}
      onRange={setRange}
      failed={isError}
      times={times}
      charts={charts}
      bands={bands}
    />
  );
}
