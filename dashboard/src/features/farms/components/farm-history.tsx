import type { SeriesRange, SeriesSpan } from '@hashwatt/schemas';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePowerText } from '../../../components/ui/figure.tsx';
import { RangeSwitch } from '../../../components/ui/range-switch.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { TimeChart, type ChartBand } from '../../../components/ui/time-chart.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useFarmSeries } from '../api/get-series.ts';

/** Translucent, so the lines read through: amber for a restricted window, red for an order. */
const SHADES: Readonly<Record<SeriesSpan['kind'], string>> = {
  'restricted-window': 'rgba(247, 147, 26, 0.16)',
  'curtailment-order': 'rgba(198, 40, 40, 0.16)',
};

/**
 * A farm's history: the hashrate its devices reported against what the pool measured,
 * its power (meters' and devices') and the energy its meters counted, with restricted
 * windows and curtailment orders shaded behind each.
 */
export function FarmHistory({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const [range, setRange] = useState<SeriesRange>('24h');
  const { data, isError } = useFarmSeries(farmId, range);
  const charts = useMemo(() => {
    if (!data) {
      return undefined;
    }
    const bands: ChartBand[] = data.spans.map((span) => ({
      label: t(span.kind === 'restricted-window' ? 'charts.restrictedWindow' : 'charts.curtailmentOrder'),
      color: SHADES[span.kind],
      fromMs: Date.parse(span.from),
      toMs: Date.parse(span.to),
    }));
    return {
      bands,
      times: data.points.map((point) => Date.parse(point.time)),
      hashrate: [
        {
          label: t('charts.hashrateReported'),
          color: '#f7931a',
          values: data.points.map((point) => point.reportedHashrate),
        },
        {
          label: t('charts.hashratePool'),
          color: '#2c7be5',
          values: data.points.map((point) => point.poolHashrate),
        },
      ],
      power: [
        {
          label: t('charts.meterPower'),
          color: '#16a085',
          values: data.points.map((point) => point.meterPowerW),
        },
        {
          label: t('charts.devicePower'),
          color: '#8e44ad',
          values: data.points.map((point) => point.devicePowerW),
        },
      ],
      energy: [
        { label: t('charts.energy'), color: '#2c7be5', values: data.points.map((point) => point.energyKwh) },
      ],
    };
  }, [data, t]);
  const kwh = useMemo(
    () => (value: number) => t('farms.kwh', { value: format.number(value, 1) }),
    [t, format],
  );
  return (
    <Section title={t('charts.history')} actions={<RangeSwitch range={range} onChange={setRange} />}>
      {isError ? <p role="alert">{t('charts.failed')}</p> : null}
      {charts ? (
        <div className="charts">
          <TimeChart
            caption
            title={t('charts.hashrate')}
            times={charts.times}
            series={charts.hashrate}
            bands={charts.bands}
            valueLabel={format.hashrate}
          />
          <TimeChart
            caption
            title={t('charts.power')}
            times={charts.times}
            series={charts.power}
            bands={charts.bands}
            valueLabel={power}
          />
          <TimeChart
            caption
            title={t('charts.energyPerBucket', {
              minutes: format.number(data ? data.bucketSeconds / 60 : 0),
            })}
            times={charts.times}
            series={charts.energy}
            bands={charts.bands}
            valueLabel={kwh}
          />
        </div>
      ) : (
        <p aria-busy="true">{t('app.loading')}</p>
      )}
    </Section>
  );
}
