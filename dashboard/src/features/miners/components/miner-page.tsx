import type { MinerStats } from '@hashwatt/schemas';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section, Stat } from '../../../components/ui/stat.tsx';
import { ProtocolBadge } from '../../../components/ui/protocol-badge.tsx';
import { TimeChart } from '../../../components/ui/time-chart.tsx';
import { useNow } from '../../../lib/clock.ts';
import { useFormat } from '../../../lib/format.ts';
import { useLiveEvents } from '../../../lib/live.ts';
import { getMinerQueryOptions, useMiner, useMinerHashrate } from '../api/get-miner.ts';
import { ONLINE_MS } from './online.ts';
import { EarningsStat, ShareStats } from './share-figures.tsx';

/** Where payouts go, or a warning that nothing can be paid. */
function PayoutAddress({ address }: { address: string | null }) {
  const { t } = useTranslation();
  if (address === null) {
    return (
      <p role="alert" className="failure">
        {t('miners.noPayoutAddress')}
      </p>
    );
  }
  return (
    <p>
      {t('miners.payoutAddress')}:{' '}
      <span dir="ltr" className="mono">
        {address}
      </span>
    </p>
  );
}

function MinerDetail({ account }: { account: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const { data: miner, isError } = useMiner(account);
  const { data: chart } = useMinerHashrate(account);
  const now = useNow();
  const [workerFilter, setWorkerFilter] = useState('');
  useLiveEvents(`/miners/${encodeURIComponent(account)}/live`, ['workers'], (_event, data) => {
    const update = data as Pick<MinerStats, 'hashrate' | 'workers'>;
    client.setQueryData(
      getMinerQueryOptions(account).queryKey,
      (current) => current && { ...current, ...update },
    );
  });
  const times = useMemo(() => chart?.points.map((point) => Date.parse(point.time)) ?? [], [chart]);
  const series = useMemo(
    () => [
      {
        label: t('pool.hashrate'),
        color: '#3b82f6',
        values: chart?.points.map((point) => point.hashrate) ?? [],
      },
    ],
    [chart, t],
  );
  if (isError) {
    return <p role="alert">{t('miners.notFound', { account })}</p>;
  }
  if (!miner) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const wanted = workerFilter.trim().toLowerCase();
  const workers =
    wanted === ''
      ? miner.workers
      : miner.workers.filter((worker) => worker.name.toLowerCase().includes(wanted));
  return (
    <>
      <PayoutAddress address={miner.payoutAddress} />
      <div className="stats">
        <Stat
          label={format.join([t('pool.hashrate'), t('pool.oneHour')])}
          value={format.hashrate(miner.hashrate.oneHour)}
        />
        <EarningsStat earnings={miner.earnings} />
        <Stat label={t('miners.immature')} value={format.btc(miner.balance.immature)} />
        <Stat label={t('miners.payable')} value={format.btc(miner.balance.payable)} />
        <Stat label={t('miners.paid')} value={format.btc(miner.balance.paid)} />
      </div>
      <Section title={t('pool.hashrate')}>
        <TimeChart
          title={t('pool.hashrate')}
          times={times}
          series={series}
          timeLabel={format.dateTime}
          valueLabel={format.hashrate}
        />
      </Section>
      <Section title={t('miners.shares')}>
        <ShareStats shares={miner.shares} />
      </Section>
      <Section
        title={t('miners.workers')}
        actions={
          <input
            type="search"
            aria-label={t('miners.findWorker')}
            placeholder={t('miners.findWorker')}
            dir="ltr"
            value={workerFilter}
            onChange={(event) => {
              setWorkerFilter(event.target.value);
            }}
          />
        }
      >
        <table>
          <thead>
            <tr>
              <th>{t('miners.worker')}</th>
              <th>{t('pool.hashrate')}</th>
              <th>{t('miners.lastShare')}</th>
              <th>{t('miners.accepted')}</th>
              <th>{t('miners.rejected')}</th>
              <th>{t('miners.rejectRate')}</th>
              <th>{t('miners.status')}</th>
              <th>{t('miners.protocol')}</th>
            </tr>
          </thead>
          <tbody>
            {workers.map((worker) => {
              const online = worker.lastShareAt !== null && now - Date.parse(worker.lastShareAt) < ONLINE_MS;
              return (
                <tr key={worker.name}>
                  <td dir="ltr">
                    <Link
                      to={`/miners/${encodeURIComponent(account)}/workers/${encodeURIComponent(worker.name)}`}
                    >
                      {worker.name}
                    </Link>
                  </td>
                  <td>{format.hashrate(worker.hashrate.oneHour)}</td>
                  <td>
                    {worker.lastShareAt === null ? t('common.unknown') : format.dateTime(worker.lastShareAt)}
                  </td>
                  <td>{format.number(worker.shares.accepted)}</td>
                  <td>{format.number(worker.shares.rejected + worker.shares.stale)}</td>
                  <td>
                    {worker.shares.rejectRate === null
                      ? t('common.unknown')
                      : format.percent(worker.shares.rejectRate)}
                  </td>
                  <td>
                    <span className={online ? 'badge ok' : 'badge bad'}>
                      {online ? t('miners.online') : t('miners.offline')}
                    </span>
                  </td>
                  <td>
                    <ProtocolBadge protocol={worker.protocol} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {workers.length === 0 ? <p className="muted">{t('miners.noWorkers')}</p> : null}
      </Section>
      <Section title={t('miners.payments')}>
        <ListTable
          items={miner.payments}
          empty={t('common.none')}
          row={(payment) => (
            <tr key={payment.txid}>
              <td>{format.dateTime(payment.sentAt)}</td>
              <td>{format.btc(payment.amount)}</td>
              <td dir="ltr" className="mono">
                {payment.txid}
              </td>
            </tr>
          )}
        />
      </Section>
    </>
  );
}

export function MinerPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { account = '' } = useParams();
  const [query, setQuery] = useState(account);
  return (
    <div className="page">
      <h1>{t('miners.title')}</h1>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void navigate(`/miners/${encodeURIComponent(query.trim())}`);
        }}
      >
        <input
          aria-label={t('miners.placeholder')}
          placeholder={t('miners.placeholder')}
          dir="ltr"
          value={query}
          onChange={(event) => {
            setQuery(event.target.value);
          }}
        />
        <button type="submit">{t('miners.lookup')}</button>
      </form>
      {account === '' ? null : <MinerDetail account={account} />}
    </div>
  );
}
