import { useTranslation } from 'react-i18next';
import { Figure, usePowerText } from '../../../components/ui/figure.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useNow } from '../../../lib/clock.ts';
import { useFormat } from '../../../lib/format.ts';
import { useRegulatedEnergy, useRegulatedFarms } from '../api/get-jurisdiction.ts';

export function RegulatorPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: farms } = useRegulatedFarms();
  const now = useNow();
  const power = usePowerText();
  const energy = useRegulatedEnergy(farms?.map((farm) => farm.id) ?? [], now);
  if (!farms) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const kw = (value: number): string => power(value * 1000);
  return (
    <div className="page">
      <h1>{t('regulator.title')}</h1>
      <Section title={t('regulator.farms')}>
        <ListTable
          items={farms}
          empty={t('common.none')}
          headers={[
            t('farms.farm'),
            t('farms.region'),
            t('farms.licence'),
            t('regulator.licensed'),
            t('regulator.peak'),
            t('regulator.energy'),
            t('regulator.restricted'),
          ]}
          row={(farm, index) => {
            const summary = energy[index]?.data;
            const restricted = summary?.restricted.some((window) => window.kwh === null)
              ? null
              : (summary?.restricted.reduce((sum, window) => sum + (window.kwh ?? 0), 0) ?? null);
            const over =
              summary?.peakVsLicence !== undefined &&
              summary.peakVsLicence !== null &&
              summary.peakVsLicence > 1;
            const measured = (value: string | null, explain = false) => (
              <Figure
                explain={explain}
                value={value}
                basis={summary?.basis ?? 'unknown'}
                reason={summary?.unknownReason ?? null}
              />
            );
            const kwh = (value: number | null): string | null =>
              value === null ? null : t('farms.kwh', { value: format.number(value) });
            return (
              <tr key={farm.id}>
                <td>{farm.name}</td>
                <td dir="ltr">{farm.region ?? farm.country}</td>
                <td dir="ltr">{farm.licence.number ?? t('common.unknown')}</td>
                <td>
                  {farm.licence.capacityKw === null ? t('common.unknown') : kw(farm.licence.capacityKw)}
                </td>
                <td>
                  {measured(
                    summary?.peakKw === undefined || summary.peakKw === null ? null : kw(summary.peakKw),
                  )}
                  {over ? <span className="badge bad">{t('regulator.overLicence')}</span> : null}
                </td>
                <td>{measured(kwh(summary?.kwhTotal ?? null), true)}</td>
                <td>{measured(kwh(restricted))}</td>
              </tr>
            );
          }}
        />
      </Section>
    </div>
  );
}
