import type { FarmDevice, SessionView } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useDevicesOfFarms } from '../api/get-devices.ts';
import { useFarms } from '../api/get-farms.ts';

export function totalsOf(devices: readonly FarmDevice[]): { hashrate: number; pool: number; powerW: number } {
  return devices.reduce(
    (sum, device) => ({
      hashrate: sum.hashrate + (device.hashrate ?? 0),
      pool: sum.pool + (device.hour.poolHashrate ?? 0),
      powerW: sum.powerW + (device.powerW ?? 0),
    }),
    { hashrate: 0, pool: 0, powerW: 0 },
  );
}

export function FarmsPage({ user }: { user: SessionView['user'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: farms } = useFarms(user);
  const devices = useDevicesOfFarms(farms?.map((farm) => farm.id) ?? []);
  if (!farms) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const all = farms.map((farm, index) => ({
    farm,
    totals: totalsOf(devices[index]?.data ?? []),
    count: devices[index]?.data?.length,
  }));
  const sum = all.reduce(
    (total, { totals }) => ({
      hashrate: total.hashrate + totals.hashrate,
      powerW: total.powerW + totals.powerW,
    }),
    { hashrate: 0, powerW: 0 },
  );
  return (
    <div className="page">
      <h1>{t('farms.title')}</h1>
      <Section title={t('farms.title')}>
        <ListTable
          items={all}
          empty={t('common.none')}
          headers={[
            t('farms.farm'),
            t('farms.region'),
            t('farms.devices'),
            t('farms.hashrateReported'),
            t('farms.power'),
          ]}
          row={({ farm, totals, count }) => (
            <tr key={farm.id}>
              <td>
                <Link to={`/farms/${farm.id}`}>{farm.name}</Link>
              </td>
              <td>{farm.region ?? farm.country ?? t('common.unknown')}</td>
              <td>{count === undefined ? t('common.unknown') : format.number(count)}</td>
              <td>{format.hashrate(totals.hashrate)}</td>
              <td>{t('farms.kw', { value: format.number(totals.powerW / 1000, 1) })}</td>
            </tr>
          )}
          footer={
            <tr>
              <th>{t('common.total')}</th>
              <td />
              <td />
              <td>{format.hashrate(sum.hashrate)}</td>
              <td>{t('farms.kw', { value: format.number(sum.powerW / 1000, 1) })}</td>
            </tr>
          }
        />
      </Section>
    </div>
  );
}
