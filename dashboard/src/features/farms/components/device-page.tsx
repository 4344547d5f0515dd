import type { FarmDevice } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ErrorBoundary } from '../../../components/ui/error-boundary.tsx';
import { Section, Stat } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useUpdateDevice } from '../api/device-actions.ts';
import { DeviceCommands } from './device-commands.tsx';
import { useDevice } from '../api/get-device.ts';
import { DeviceHistory } from './device-history.tsx';
import { Figure, usePowerText } from '../../../components/ui/figure.tsx';
import { deviceRate } from './other-algorithms.tsx';
import { StateEvidence } from './state-evidence.tsx';

function LocationForm({ farmId, device }: { farmId: string; device: FarmDevice }) {
  const { t } = useTranslation();
  const update = useUpdateDevice(farmId, device.id);
  const [rack, setRack] = useState(device.location.rack ?? '');
  const [shelf, setShelf] = useState(device.location.shelf ?? '');
  const [slot, setSlot] = useState(device.location.slot ?? '');
  const orNull = (value: string): string | null => (value.trim() === '' ? null : value.trim());
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate({ rack: orNull(rack), shelf: orNull(shelf), slot: orNull(slot) });
      }}
    >
      <label>
        {t('devices.rack')}
        <input
          name="rack"
          value={rack}
          onChange={(event) => {
            setRack(event.target.value);
          }}
        />
      </label>
      <label>
        {t('devices.shelf')}
        <input
          name="shelf"
          value={shelf}
          onChange={(event) => {
            setShelf(event.target.value);
          }}
        />
      </label>
      <label>
        {t('devices.slot')}
        <input
          name="slot"
          value={slot}
          onChange={(event) => {
            setSlot(event.target.value);
          }}
        />
      </label>
      <button type="submit" disabled={update.isPending}>
        {t('devices.save')}
      </button>
    </form>
  );
}

export function DevicePage() {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const { id = '', deviceId = '' } = useParams();
  const { data: device, isError } = useDevice(id, deviceId);
  if (isError) {
    return <p role="alert">{t('app.notFound')}</p>;
  }
  if (!device) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const unknown = t('common.unknown');
  return (
    <div className="page">
      <h1>
        <span dir="ltr">{device.device}</span> <Link to={`/farms/${id}`}>{t('farms.farm')}</Link>
      </h1>
      <div className="stats">
        <Stat
          label={t('farms.state')}
          value={t(`farms.states.${device.state}`)}
          hint={<StateEvidence device={device} />}
        />
        <Stat
          label={t('farms.hashrateReported')}
          value={device.hashrate === null ? unknown : deviceRate(format, device.algorithm, device.hashrate)}
        />
        <Stat
          label={format.join([t('farms.hashratePool'), t('pool.oneHour')])}
          value={device.hour.poolHashrate === null ? unknown : format.hashrate(device.hour.poolHashrate)}
          hint={
            device.hour.gapPercent === null
              ? undefined
              : t('devices.gap', { gap: format.percent(device.hour.gapPercent / 100) })
          }
        />
        <Stat
          label={t('farms.power')}
          value={
            <Figure
              value={device.power.watts === null ? null : power(device.power.watts)}
              basis={device.power.basis}
              reason={device.power.reason}
            />
          }
        />
        <Stat
          label={t('farms.efficiency')}
          value={
            <Figure
              value={
                device.efficiency.joulesPerTh === null
                  ? null
                  : t('farms.jPerTh', { value: format.number(device.efficiency.joulesPerTh, 1) })
              }
              basis={device.efficiency.basis}
              reason={device.efficiency.reason}
            />
          }
        />
        <Stat
          label={t('farms.chipTemp')}
          value={device.chipTempC === null ? unknown : format.number(device.chipTempC)}
        />
      </div>
      <ErrorBoundary>
        <DeviceHistory farmId={id} deviceId={device.id} />
      </ErrorBoundary>
      <Section title={t('devices.identity')}>
        <dl className="facts">
          <dt>{t('farms.model')}</dt>
          <dd>{[device.make, device.model].filter((part) => part !== null).join(' ')}</dd>
          <dt>{t('devices.firmware')}</dt>
          <dd dir="ltr">
            {[device.firmware, device.firmwareVersion].filter((part) => part !== null).join(' ')}
          </dd>
          <dt>{t('devices.serial')}</dt>
          <dd dir="ltr">{device.serial ?? unknown}</dd>
          <dt>{t('devices.mac')}</dt>
          <dd dir="ltr">{device.mac ?? unknown}</dd>
          <dt>{t('farms.ip')}</dt>
          <dd dir="ltr">{device.ip}</dd>
          <dt>{t('devices.poolUser')}</dt>
          <dd dir="ltr">{device.poolUser ?? unknown}</dd>
          <dt>{t('devices.nominal')}</dt>
          <dd>
            {device.nominalHashrate === null
              ? unknown
              : deviceRate(format, device.algorithm, device.nominalHashrate)}
            {device.nominalPowerW === null ? '' : `${format.separator}${power(device.nominalPowerW)}`}
          </dd>
          <dt>{t('farms.lastSeen')}</dt>
          <dd>{format.dateTime(device.lastSeen)}</dd>
        </dl>
      </Section>
      <Section title={t('farms.location')}>
        <LocationForm farmId={id} device={device} />
      </Section>
      <DeviceCommands farmId={id} device={device} />
    </div>
  );
}
