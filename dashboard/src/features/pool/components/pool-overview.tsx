import type { ChartRange, PoolSummary } from '@hashwatt/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorBoundary } from '../../../components/ui/error-boundary.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section, Stat } from '../../../components/ui/stat.tsx';
import { TimeChart } from '../../../components/ui/time-chart.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useLiveEvents } from '../../../lib/live.ts';
import { getPoolQueryOptions, usePool } from '../api/get-pool.ts';
import { usePoolHashrate } from '../api/get-pool-hashrate.ts';

const RANGES: readonly ChartRange[] = ['day', 'week', 'month'];

function HashrateSection() {
  const { t } = useTranslation();
  const format = useFormat();
  const [range, setRange] = useState<ChartRange>('day');
  const { data } = usePoolHashrate(range);
  const times = useMemo(() => data?.points.map((point) => Date.parse(point.time)) ?? [], [data]);
  const series = useMemo(
    () => [
      {
        label: t('pool.hashrate'),
        color: '#f7931a',
        values: data?.points.map((point) => point.hashrate) ?? [],
      },
    ],
    [data, t],
  );
  return (
    <Section
      title={t('pool.hashrate')}
      actions={
        <div role="group" className="segmented">
          {RANGES.map((option) => (
            <button
              key={option}
              type="button"
              aria-pressed={option === range}
              onClick={() => {
                setRange(option);
              }}
            >
              {t(`pool.ranges.${option}`)}
            </button>
          ))}
        </div>
      }
    >
      <TimeChart
        title={t('pool.hashrate')}
        times={times}
        series={series}
        timeLabel={range === 'day' ? format.dateTime : format.date}
        valueLabel={format.hashrate}
      />
    </Section>
  );
}

function Blocks({ pool }: { pool: PoolSummary }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Section title={t('pool.blocks')}>
      <ListTable
        items={pool.lastBlocks}
        empty={t('common.none')}
        headers={[
          t('pool.blockHeight'),
          t('pool.blockFound'),
          t('pool.blockStatus'),
          t('pool.blockEffort'),
          t('pool.blockReward'),
        ]}
        row={(block) => (
          <tr key={block.hash}>
            <td>{format.number(block.height)}</td>
            <td>{format.dateTime(block.foundAt)}</td>
            <td>{t(`pool.statuses.${block.status}`)}</td>
            <td>{block.effort === null ? t('common.unknown') : format.percent(block.effort)}</td>
            <td>{format.btc(block.reward)}</td>
          </tr>
        )}
      />
    </Section>
  );
}

export function PoolOverview() {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const { data: pool } = usePool();
  const live = useLiveEvents('/live', ['pool', 'block'], (event, data) => {
    if (event === 'pool') {
      const update = data as Pick<PoolSummary, 'hashrate' | 'miners' | 'workers'>;
      client.setQueryData(getPoolQueryOptions().queryKey, (current) => current && { ...current, ...update });
    } else {
      void client.invalidateQueries({ queryKey: getPoolQueryOptions().queryKey });
    }
  });
  if (!pool) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  return (
    <div className="page">
      <h1>
        {t('pool.title')} {live ? <span className="badge live">{t('app.live')}</span> : null}
      </h1>
      <div className="stats">
        <Stat
          label={format.join([t('pool.hashrate'), t('pool.tenMinutes')])}
          value={format.hashrate(pool.hashrate.tenMinutes)}
        />
        <Stat
          label={format.join([t('pool.hashrate'), t('pool.oneDay')])}
          value={format.hashrate(pool.hashrate.oneDay)}
        />
        <Stat label={t('pool.miners')} value={format.number(pool.miners)} />
        <Stat label={t('pool.workers')} value={format.number(pool.workers)} />
        <Stat label={t('pool.height')} value={format.number(pool.network.height)} />
        <Stat label={t('pool.difficulty')} value={format.difficulty(pool.network.difficulty)} />
        <Stat label={t('pool.networkHashrate')} value={format.hashrate(pool.network.hashrate)} />
        <Stat
          label={t('pool.fee')}
          value={format.join([t(`pool.schemes.${pool.fee.scheme}`), format.percent(pool.fee.percent / 100)])}
          hint={`${t('pool.payoutThreshold')}: ${format.btc(pool.payouts.thresholdSats)}`}
        />
      </div>
      <ErrorBoundary>
        <HashrateSection />
      </ErrorBoundary>
      <Blocks pool={pool} />
    </div>
  );
}
