import type { FarmDevice, OrderCompliance } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ErrorBoundary } from '../../../components/ui/error-boundary.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section, Stat } from '../../../components/ui/stat.tsx';
import { useNow } from '../../../lib/clock.ts';
import { useFormat } from '../../../lib/format.ts';
import { useDevices } from '../api/get-devices.ts';
import { useEnergy, useOrders, useWindows } from '../api/get-energy.ts';
import { useFarm } from '../api/get-farms.ts';
import { ApiKeys } from './api-keys.tsx';
import { DevicesTable } from './devices-table.tsx';
import { totalsOf } from './farms-page.tsx';
import { RackHeatmap } from './rack-heatmap.tsx';

const VERDICT_BADGE = { complied: 'badge ok', violated: 'badge bad', undetermined: 'badge' } as const;

/** An order's verdict with why (the server's reasons), the failed commands named, and a suspect meter flagged. */
function OrderVerdict({ compliance }: { compliance: OrderCompliance }) {
  const { t } = useTranslation();
  return (
    <>
      <span className={VERDICT_BADGE[compliance.verdict]}>{t(`farms.${compliance.verdict}`)}</span>
      {compliance.meterSuspect && <p className="alert-text">{t('farms.meterSuspect')}</p>}
      {compliance.reasons.length > 0 && (
        <ul dir="ltr">
          {compliance.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      {compliance.failedCommands.length > 0 && (
        <details>
          <summary>
            {t('farms.failedCommands')} ({compliance.failedCommands.length})
          </summary>
          <ul dir="ltr">
            {compliance.failedCommands.map((command) => (
              <li key={`${command.device} ${command.action}`}>
                {command.device}: {command.action} – {command.error ?? command.status}
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  );
}

function Alerts({ devices }: { devices: readonly FarmDevice[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const alerts = devices.flatMap((device) => [
    ...(device.state === 'error' || device.state === 'unreachable'
      ? [t('farms.fault', { device: device.device, state: t(`farms.states.${device.state}`) })]
      : []),
    ...(device.hour.alert && device.hour.reportedHashrate !== null && device.hour.poolHashrate !== null
      ? [
          t('farms.gapAlert', {
            device: device.device,
            pool: format.hashrate(device.hour.poolHashrate),
            reported: format.hashrate(device.hour.reportedHashrate),
          }),
        ]
      : []),
  ]);
  return (
    <Section title={t('farms.alerts')}>
      {alerts.length === 0 ? (
        <p className="muted">{t('farms.noAlerts')}</p>
      ) : (
        <ul className="alerts">
          {alerts.map((alert) => (
            <li key={alert}>{alert}</li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function Curtailment({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: windows = [] } = useWindows(farmId);
  const { data: orders = [] } = useOrders(farmId);
  return (
    <>
      <Section title={t('farms.windows')}>
        <ListTable
          items={windows}
          empty={t('common.none')}
          row={(window) => (
            <tr key={window.id}>
              <td>{t(`farms.windowClasses.${window.class}`)}</td>
              <td dir="ltr">
                {window.from}–{window.to}
              </td>
              <td>
                {t('farms.validFrom')} {format.date(window.validFrom)}
              </td>
            </tr>
          )}
        />
      </Section>
      <Section title={t('farms.orders')}>
        <ListTable
          items={orders}
          empty={t('common.none')}
          headers={[t('farms.orderStart'), t('farms.orderEnd'), t('farms.reduction'), t('farms.compliance')]}
          row={(order) => (
            <tr key={order.id}>
              <td>{format.dateTime(order.startsAt)}</td>
              <td>{format.dateTime(order.endsAt)}</td>
              <td>{t('farms.kw', { value: format.number(order.reductionKw) })}</td>
              <td>
                {order.compliance === null ? (
                  t('farms.pending')
                ) : (
                  <OrderVerdict compliance={order.compliance} />
                )}
              </td>
            </tr>
          )}
        />
      </Section>
    </>
  );
}

export function FarmPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { id = '' } = useParams();
  const { data: farm } = useFarm(id);
  const { data: devices = [] } = useDevices(id);
  const now = useNow();
  const { data: energy } = useEnergy(id, now);
  if (!farm) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const totals = totalsOf(devices);
  const kwhTotal = energy?.kwhTotal ?? null;
  const peakKw = energy?.peakKw ?? null;
  const efficiency = totals.hashrate > 0 ? totals.powerW / (totals.hashrate / 1e12) : null;
  return (
    <div className="page">
      <h1>
        {farm.name} <Link to={`/farms/${farm.id}/economics`}>{t('farms.economics')}</Link>
      </h1>
      <div className="stats">
        <Stat label={t('farms.hashrateReported')} value={format.hashrate(totals.hashrate)} />
        <Stat label={t('farms.hashratePool')} value={format.hashrate(totals.pool)} />
        <Stat
          label={t('farms.power')}
          value={t('farms.kw', { value: format.number(totals.powerW / 1000, 1) })}
        />
        <Stat
          label={t('farms.efficiency')}
          value={
            efficiency === null
              ? t('common.unknown')
              : t('farms.jPerTh', { value: format.number(efficiency, 1) })
          }
        />
        <Stat
          label={t('farms.energy')}
          value={
            kwhTotal === null ? t('common.unknown') : t('farms.kwh', { value: format.number(kwhTotal, 0) })
          }
        />
        <Stat
          label={t('farms.peak')}
          value={peakKw === null ? t('common.unknown') : t('farms.kw', { value: format.number(peakKw, 1) })}
          hint={
            farm.licence.capacityKw === null
              ? undefined
              : `${t('farms.licensedCapacity')}: ${t('farms.kw', { value: format.number(farm.licence.capacityKw) })}`
          }
        />
      </div>
      <Alerts devices={devices} />
      <Section title={t('farms.devices')}>
        <DevicesTable farmId={farm.id} devices={devices} />
      </Section>
      <Section title={t('farms.heatmap')}>
        <RackHeatmap devices={devices} />
      </Section>
      <ErrorBoundary>
        <Curtailment farmId={farm.id} />
      </ErrorBoundary>
      <ErrorBoundary>
        <ApiKeys farmId={farm.id} />
      </ErrorBoundary>
    </div>
  );
}
