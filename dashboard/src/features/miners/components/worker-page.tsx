import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { Section, Stat } from '../../../components/ui/stat.tsx';
import { useNow } from '../../../lib/clock.ts';
import { useFormat } from '../../../lib/format.ts';
import { useWorker } from '../api/get-worker.ts';
import { ONLINE_MS } from './online.ts';
import { ShareStats } from './share-figures.tsx';
import { WorkerHistory } from './worker-history.tsx';
import { ErrorBoundary } from '../../../components/ui/error-boundary.tsx';

/** One worker of an account: its hashrate over three windows, its last share and its shares by outcome. */
export function WorkerPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow();
  const { account = '', worker: name = '' } = useParams();
  const { data: worker, isError } = useWorker(account, name);
  const back = (
    <Link to={`/miners/${encodeURIComponent(account)}`}>{t('miners.allWorkers', { account })}</Link>
  );
  if (isError) {
    return (
      <div className="page">
        <p role="alert">{t('miners.workerNotFound', { account, worker: name })}</p>
        {back}
      </div>
    );
  }
  if (!worker) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const online = worker.lastShareAt !== null && now - Date.parse(worker.lastShareAt) < ONLINE_MS;
  return (
    <div className="page">
      <h1 dir="ltr">{worker.name}</h1>
      {back}
      <div className="stats">
        <Stat
          label={format.join([t('pool.hashrate'), t('pool.tenMinutes')])}
          value={format.hashrate(worker.hashrate.tenMinutes)}
        />
        <Stat
          label={format.join([t('pool.hashrate'), t('pool.oneHour')])}
          value={format.hashrate(worker.hashrate.oneHour)}
        />
        <Stat
          label={format.join([t('pool.hashrate'), t('pool.oneDay')])}
          value={format.hashrate(worker.hashrate.oneDay)}
        />
        <Stat
          label={t('miners.lastShare')}
          value={worker.lastShareAt === null ? t('common.unknown') : format.dateTime(worker.lastShareAt)}
          hint={
            <span className={online ? 'badge ok' : 'badge bad'}>
              {online ? t('miners.online') : t('miners.offline')}
            </span>
          }
        />
        <Stat
          label={t('miners.protocol')}
          value={worker.protocol === null ? t('common.unknown') : t(`miners.protocols.${worker.protocol}`)}
          hint={
            worker.protocol === null
              ? t('miners.protocolUnknown')
              : t(`miners.protocolHints.${worker.protocol}`)
          }
        />
      </div>
      <Section title={t('miners.shares')}>
        <ShareStats shares={worker.shares} />
      </Section>
      <ErrorBoundary>
        <WorkerHistory account={account} worker={worker.name} />
      </ErrorBoundary>
    </div>
  );
}
