import type { SeriesRange } from '@hashwatt/schemas';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { RangeSwitch } from '../../../components/ui/range-switch.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { TimeChart } from '../../../components/ui/time-chart.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useWorkerSeries } from '../api/get-worker-series.ts';

/** A worker's history as the pool measured it: its hashrate, and its shares by outcome in each bucket. */
export function WorkerHistory({ account, worker }: { account: string; worker: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [range, setRange] = useState<SeriesRange>('24h');
  const { data, isError } = useWorkerSeries(account, worker, range);
  const charts = useMemo(() => {
    if (!data) {
      return undefined;
    }
    return {
      times: data.points.map((point) => Date.parse(point.time)),
      hashrate: [
        {
          label: t('charts.hashratePool'),
          color: '#f7931a',
          values: data.points.map((point) => point.hashrate),
        },
      ],
      shares: [
        { label: t('charts.accepted'), color: '#1a7f37', values: data.points.map((point) => point.accepted) },
        { label: t('charts.rejected'), color: '#c62828', values: data.points.map((point) => point.rejected) },
        { label: t('charts.stale'), color: '#ef8c00', values: data.points.map((point) => point.stale) },
      ],
    };
  }, [data, t]);
  const count = useMemo(() => (value: number) => format.number(value), [format]);
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
            valueLabel={format.hashrate}
          />
          <TimeChart
            caption
            title={t('charts.shares')}
            times={charts.times}
            series={charts.shares}
            valueLabel={count}
          />
        </div>
      ) : (
        <p aria-busy="true">{t('app.loading')}</p>
      )}
    </Section>
  );
}
