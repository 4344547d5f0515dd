import type { EnergySummary, FarmDevice, FarmPower, OrderCompliance } from '@hashwatt/schemas';
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
import { usePower } from '../api/get-power.ts';
import { AlertThresholds } from './alert-thresholds.tsx';
import { ApiKeys } from './api-keys.tsx';
import { CurtailForm, OrderForm, WithdrawOrder } from './curtailment-controls.tsx';
import { DeleteWindow, WindowForm } from './restricted-windows.tsx';
import { FarmProfileForm } from './farm-profile-form.tsx';
import { Tariffs } from './tariffs.tsx';
import { DevicesTable } from './devices-table.tsx';
import { FarmHistory } from './farm-history.tsx';
import { hashrateOf } from './farms-page.tsx';
import { OtherAlgorithms } from './other-algorithms.tsx';
import { MetersTable } from './meters-table.tsx';
import { Figure, usePowerText } from '../../../components/ui/figure.tsx';
import { useFindingText } from './finding-text.ts';
import { RackHeatmap } from './rack-heatmap.tsx';

const VERDICT_BADGE = { complied: 'badge ok', violated: 'badge bad', undetermined: 'badge' } as const;

/** An order's verdict with why (the server's findings, in the reader's words), the failed commands named, and a suspect meter flagged. */
function OrderVerdict({ compliance }: { compliance: OrderCompliance }) {
  const { t } = useTranslation();
  const findingText = useFindingText();
  return (
    <>
      <span className={VERDICT_BADGE[compliance.verdict]}>{t(`farms.${compliance.verdict}`)}</span>
      {compliance.meterSuspect && <p className="alert-text">{t('farms.meterSuspect')}</p>}
      {compliance.findings.length > 0 && (
        <ul>
          {compliance.findings.map((finding, index) => (
            <li key={index}>{findingText(finding)}</li>
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

function Curtailment({ farmId, devices }: { farmId: string; devices: readonly FarmDevice[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow();
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
              <td>
                <DeleteWindow farmId={farmId} window={window} />
              </td>
            </tr>
          )}
        />
        <WindowForm farmId={farmId} />
      </Section>
      <Section title={t('farms.orders')}>
        <ListTable
          items={orders}
          empty={t('common.none')}
          headers={[
            t('farms.orderStart'),
            t('farms.orderEnd'),
            t('farms.reduction'),
            t('farms.compliance'),
            '',
          ]}
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
              <td>
                <WithdrawOrder farmId={farmId} order={order} nowMs={now} />
              </td>
            </tr>
          )}
        />
        <OrderForm farmId={farmId} devices={devices} />
      </Section>
      <Section title={t('curtailment.farmWide')}>
        <CurtailForm farmId={farmId} devices={devices} />
      </Section>
    </>
  );
}

/** The farm's power and efficiency now, as the API judged them: measured, estimated (how), or unknown (why). */
function PowerStats({ power }: { power: FarmPower | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const powerText = usePowerText();
  if (!power) {
    return (
      <>
        <Stat label={t('farms.power')} value={t('common.unknown')} />
        <Stat label={t('farms.efficiency')} value={t('common.unknown')} />
      </>
    );
  }
  const { devices } = power;
  const from =
    power.power.source === null
      ? undefined
      : power.power.source === 'meter'
        ? t('farms.fromMeter')
        : devices.estimated > 0
          ? t('farms.estimatedDevices', {
              estimated: format.number(devices.estimated),
              count: devices.total,
            })
          : t('farms.fromDevices');
  return (
    <>
      <Stat
        label={t('farms.power')}
        value={
          <Figure
            value={power.power.watts === null ? null : powerText(power.power.watts)}
            basis={power.power.basis}
          />
        }
        hint={<Reason lead={from} reason={power.power.reason} />}
      />
      <Stat
        label={t('farms.efficiency')}
        value={
          <Figure
            value={
              power.efficiency.joulesPerTh === null
                ? null
                : t('farms.jPerTh', { value: format.number(power.efficiency.joulesPerTh, 1) })
            }
            basis={power.efficiency.basis}
          />
        }
        hint={<Reason reason={power.efficiency.reason} />}
      />
    </>
  );
}

/** A translated lead (where a figure comes from) and the API's reason, in English as the API words it. */
function Reason({ lead, reason }: { lead?: string | undefined; reason: string | null }) {
  const format = useFormat();
  if (lead === undefined && reason === null) {
    return null;
  }
  return (
    <>
      {lead}
      {lead !== undefined && reason !== null ? format.separator : null}
      {reason === null ? null : <span dir="ltr">{reason}</span>}
    </>
  );
}

/** The last day's energy and peak demand: partial or unknown with why, never 0 for missing. */
function EnergyStats({
  energy,
  capacityKw,
}: {
  energy: EnergySummary | undefined;
  capacityKw: number | null;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const basis = energy?.basis ?? 'unknown';
  const reason = <Reason reason={energy?.unknownReason ?? null} />;
  const peakKw = energy?.peakKw ?? null;
  const kwhTotal = energy?.kwhTotal ?? null;
  const licence =
    capacityKw === null
      ? null
      : `${t('farms.licensedCapacity')}: ${t('farms.kw', { value: format.number(capacityKw) })}`;
  return (
    <>
      <Stat
        label={t('farms.energy')}
        value={
          <Figure
            value={
              kwhTotal === null
                ? null
                : t('farms.kwh', { value: format.number(kwhTotal, kwhTotal < 10 ? 2 : 0) })
            }
            basis={basis}
          />
        }
        hint={reason}
      />
      <Stat
        label={t('farms.peak')}
        value={
          <Figure
            value={peakKw === null ? null : power(peakKw * 1000)}
            basis={peakKw === null ? 'unknown' : basis}
          />
        }
        hint={
          <>
            {licence}
            {licence !== null && energy?.unknownReason ? format.separator : null}
            {reason}
          </>
        }
      />
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
  const { data: farmPower } = usePower(id);
  if (!farm) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const hashrate = hashrateOf(devices);
  return (
    <div className="page">
      <h1>
        {farm.name} <Link to={`/farms/${farm.id}/economics`}>{t('farms.economics')}</Link>
      </h1>
      <div className="stats">
        <Stat
          label={t('farms.hashrateReported')}
          value={hashrate.reported === null ? t('common.unknown') : format.hashrate(hashrate.reported)}
        />
        <Stat
          label={t('farms.hashratePool')}
          value={hashrate.pool === null ? t('common.unknown') : format.hashrate(hashrate.pool)}
        />
        <OtherAlgorithms power={farmPower} />
        <PowerStats power={farmPower} />
        <EnergyStats energy={energy} capacityKw={farm.licence.capacityKw} />
      </div>
      <Alerts devices={devices} />
      <ErrorBoundary>
        <FarmHistory farmId={farm.id} />
      </ErrorBoundary>
      <MetersTable power={farmPower} />
      <Section title={t('farms.devices')}>
        <DevicesTable farmId={farm.id} devices={devices} />
      </Section>
      <Section title={t('farms.heatmap')}>
        <RackHeatmap devices={devices} />
      </Section>
      <ErrorBoundary>
        <Curtailment farmId={farm.id} devices={devices} />
      </ErrorBoundary>
      <ErrorBoundary>
        <Tariffs farmId={farm.id} />
      </ErrorBoundary>
      <ErrorBoundary>
        <AlertThresholds farmId={farm.id} />
      </ErrorBoundary>
      <FarmProfileForm key={farm.id} farm={farm} />
      <ErrorBoundary>
        <ApiKeys farmId={farm.id} />
      </ErrorBoundary>
    </div>
  );
}
