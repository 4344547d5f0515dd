import type { FarmDevice, FarmPower, PowerFigure, SessionView } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { useDevicesOfFarms } from '../api/get-devices.ts';
import { useFarms } from '../api/get-farms.ts';
import { usePowerOfFarms } from '../api/get-power.ts';
import { Figure, usePowerText } from '../../../components/ui/figure.tsx';
import { NewFarmForm } from './new-farm-form.tsx';

/** The sum of the figures that are known; null when none is, never 0 for missing. */
function knownSum(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0);
}

/** The hashrate the devices report and the pool measured from their workers; null when none is known. */
/** Bitcoin hashrate: a scrypt or X11 machine's figure is another unit of another coin. */
export function hashrateOf(devices: readonly FarmDevice[]): { reported: number | null; pool: number | null } {
  return {
    reported: knownSum(
      devices.filter((device) => device.algorithm === 'sha256d').map((device) => device.hashrate),
    ),
    pool: knownSum(devices.map((device) => device.hour.poolHashrate)),
  };
}

/** Several farms' power: unknown if any farm's is (or has not loaded), estimated if any farm's is. */
export function sumPower(farms: readonly (FarmPower | undefined)[]): Pick<PowerFigure, 'watts' | 'basis'> {
  const figures = farms.map((farm) => farm?.power);
  if (figures.length === 0 || figures.some((figure) => figure === undefined || figure.watts === null)) {
    return { watts: null, basis: 'unknown' };
  }
  return {
    watts: knownSum(figures.map((figure) => figure?.watts ?? null)),
    basis: figures.some((figure) => figure?.basis === 'estimated') ? 'estimated' : 'measured',
  };
}

export function FarmsPage({ user }: { user: SessionView['user'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const power = usePowerText();
  const { data: farms } = useFarms(user);
  const ids = farms?.map((farm) => farm.id) ?? [];
  const devices = useDevicesOfFarms(ids);
  const powers = usePowerOfFarms(ids);
  if (!farms) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const all = farms.map((farm, index) => ({
    farm,
    power: powers[index]?.data,
    count: devices[index]?.data?.length,
  }));
  const total = sumPower(all.map((row) => row.power));
  const hashrate = (value: number | null | undefined): string =>
    value === null || value === undefined ? t('common.unknown') : format.hashrate(value);
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
          row={({ farm, power: farmPower, count }) => (
            <tr key={farm.id}>
              <td>
                <Link to={`/farms/${farm.id}`}>{farm.name}</Link>
              </td>
              <td>{farm.region ?? farm.country ?? t('common.unknown')}</td>
              <td>{count === undefined ? t('common.unknown') : format.number(count)}</td>
              <td>{hashrate(farmPower?.hashrate)}</td>
              <td>
                {farmPower === undefined ? (
                  t('common.unknown')
                ) : (
                  <Figure
                    value={farmPower.power.watts === null ? null : power(farmPower.power.watts)}
                    basis={farmPower.power.basis}
                    reason={farmPower.power.reason}
                  />
                )}
              </td>
            </tr>
          )}
          footer={
            <tr>
              <th>{t('common.total')}</th>
              <td />
              <td />
              <td>{hashrate(knownSum(all.map((row) => row.power?.hashrate ?? null)))}</td>
              <td>
                <Figure value={total.watts === null ? null : power(total.watts)} basis={total.basis} />
              </td>
            </tr>
          }
        />
      </Section>
      <Section title={t('farmProfile.newFarm')}>
        <NewFarmForm user={user} />
      </Section>
    </div>
  );
}
