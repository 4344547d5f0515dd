import type { FarmDevice } from '@hashwatt/schemas';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { DataTable, type Column } from '../../../components/ui/data-table.tsx';
import { useFormat } from '../../../lib/format.ts';
import { usePowerText } from '../../../components/ui/figure.tsx';
import { ProtocolBadge } from '../../../components/ui/protocol-badge.tsx';
import { deviceRate } from './other-algorithms.tsx';

const locationOf = (device: FarmDevice): string =>
  [device.location.rack, device.location.shelf, device.location.slot]
    .filter((part) => part !== null)
    .join('-');

export function DevicesTable({ farmId, devices }: { farmId: string; devices: readonly FarmDevice[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const columns = useMemo<Column<FarmDevice>[]>(
    () => [
      {
        key: 'device',
        label: t('farms.device'),
        value: (device) => device.device,
        render: (device) => (
          <Link to={`/farms/${farmId}/devices/${device.id}`} dir="ltr">
            {device.device}
          </Link>
        ),
        width: '11rem',
      },
      { key: 'model', label: t('farms.model'), value: (device) => device.model ?? device.make },
      { key: 'location', label: t('farms.location'), value: locationOf, width: '7rem' },
      {
        key: 'state',
        label: t('farms.state'),
        value: (device) => device.state,
        render: (device) => (
          <span className={device.state === 'mining' ? 'badge ok' : 'badge bad'}>
            {t(`farms.states.${device.state}`)}
          </span>
        ),
        width: '9rem',
      },
      {
        key: 'hashrate',
        label: t('farms.hashrateReported'),
        value: (device) => device.hashrate,
        render: (device) =>
          device.hashrate === null
            ? t('common.unknown')
            : deviceRate(format, device.algorithm, device.hashrate),
      },
      {
        key: 'pool',
        label: t('farms.hashratePool'),
        value: (device) => device.hour.poolHashrate,
        render: (device) => (
          <span className={device.hour.alert ? 'alert-text' : undefined}>
            {device.hour.poolHashrate === null
              ? t('common.unknown')
              : format.hashrate(device.hour.poolHashrate)}
            {device.poolProtocol === null ? null : (
              <>
                {' '}
                <ProtocolBadge protocol={device.poolProtocol} />
              </>
            )}
          </span>
        ),
      },
      {
        key: 'power',
        label: t('farms.power'),
        value: (device) => device.power.watts,
        render: (device) => (
          <span title={device.power.reason ?? undefined}>
            {device.power.watts === null ? t('common.unknown') : power(device.power.watts)}
            {device.power.basis === 'measured' ? null : (
              <span className="badge"> {t(`farms.basis.${device.power.basis}`)}</span>
            )}
          </span>
        ),
      },
      {
        key: 'efficiency',
        label: t('farms.efficiency'),
        value: (device) => device.efficiency.joulesPerTh,
        render: (device) => (
          <span title={device.efficiency.reason ?? undefined}>
            {device.efficiency.joulesPerTh === null
              ? t('common.unknown')
              : t('farms.jPerTh', { value: format.number(device.efficiency.joulesPerTh, 1) })}
            {device.efficiency.basis === 'estimated' ? (
              <span className="badge"> {t('farms.basis.estimated')}</span>
            ) : null}
          </span>
        ),
      },
      {
        key: 'temp',
        label: t('farms.chipTemp'),
        value: (device) => device.chipTempC,
        render: (device) =>
          device.chipTempC === null ? t('common.unknown') : format.number(device.chipTempC),
        width: '6rem',
      },
      {
        key: 'seen',
        label: t('farms.lastSeen'),
        value: (device) => device.lastSeen,
        render: (device) => format.dateTime(device.lastSeen),
      },
    ],
    [t, format, power, farmId],
  );
  return (
    <DataTable
      rows={devices}
      columns={columns}
      rowKey={(device) => device.id}
      filterLabel={t('farms.filterDevices')}
      countLabel={(shown, total) => t('farms.shown', { shown: format.number(shown), count: total })}
    />
  );
}
