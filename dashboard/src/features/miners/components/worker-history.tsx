import type { SeriesRange } from '@hashwatt/schemas';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { HistorySection, type HistoryChart } from '../../../components/ui/history-section.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useWorkerSeries } from '../api/get-worker-series.ts';

const NO_TIMES: readonly number[] = [];

/** A worker's history as the pool measured it: its hashrate, and its shares by outcome in each bucket. */
export function WorkerHistory({ account, worker }: { account: string; worker: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [range, setRange] = useState<SeriesRange>('24h');
  const { data, isError } = useWorkerSeries(account, worker, range);
  const times = useMemo(() => data?.points.map((point) => Date.parse(point.time)) ?? NO_TIMES, [data]);
  const charts = useMemo(
    (): HistoryChart[] | undefined =>
      data && [
        {
          title: t('charts.hashrate'),
          series: [
            {
              label: t('charts.hashratePool'),
              color: '#f7931a',
              values: data.points.map((point) => point.hashrate),
            },
          ],
          valueLabel: format.hashrate,
        },
        {
          title: t('charts.shares'),
          series: [
            {
              label: t('charts.accepted'),
              color: '#1a7f37',
              values: data.points.map((point) => point.accepted),
            },
            {
              label: t('charts.rejected'),
              color: '#c62828',
              values: data.points.map((point) => point.rejected),
            },
            { label: t('charts.stale'), color: '#ef8c00', values: data.points.map((point) => point.stale) },
          ],
          valueLabel: (value) => format.number(value),
        },
      ],
    [data, t, format],
  );
  return <HistorySection range={range} onRange={setRange} failed={isError} times={times} charts={charts} />;
}
