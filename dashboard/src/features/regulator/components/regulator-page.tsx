import { useTranslation } from 'react-i18next';
import { Section } from '../../../components/ui/stat.tsx';
import { useNow } from '../../../lib/clock.ts';
import { useFormat } from '../../../lib/format.ts';
import { useRegulatedEnergy, useRegulatedFarms } from '../api/get-jurisdiction.ts';

export function RegulatorPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: farms } = useRegulatedFarms();
  const now = useNow();
  const energy = useRegulatedEnergy(farms?.map((farm) => farm.id) ?? [], now);
  if (!farms) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  const kw = (value: number): string => t('farms.kw', { value: format.number(value, 0) });
  return (
    <div className="page">
      <h1>{t('regulator.title')}</h1>
      <Section title={t('regulator.farms')}>
        {farms.length === 0 ? (
          <p className="muted">{t('common.none')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>{t('farms.farm')}</th>
                <th>{t('farms.region')}</th>
                <th>{t('farms.licence')}</th>
                <th>{t('regulator.licensed')}</th>
                <th>{t('regulator.peak')}</th>
                <th>{t('regulator.energy')}</th>
                <th>{t('regulator.restricted')}</th>
              </tr>
            </thead>
            <tbody>
              {farms.map((farm, index) => {
                const summary = energy[index]?.data;
                const restricted = summary?.restricted.reduce((sum, window) => sum + window.kwh, 0);
                const over =
                  summary?.peakVsLicence !== undefined &&
                  summary.peakVsLicence !== null &&
                  summary.peakVsLicence > 1;
                return (
                  <tr key={farm.id}>
                    <td>{farm.name}</td>
                    <td dir="ltr">{farm.region ?? farm.country}</td>
                    <td dir="ltr">{farm.licence.number ?? t('common.unknown')}</td>
                    <td>
                      {farm.licence.capacityKw === null ? t('common.unknown') : kw(farm.licence.capacityKw)}
                    </td>
                    <td>
                      {summary ? kw(summary.peakKw) : t('common.unknown')}
                      {over ? <span className="badge bad">{t('regulator.overLicence')}</span> : null}
                    </td>
                    <td>
                      {summary
                        ? t('farms.kwh', { value: format.number(summary.kwhTotal) })
                        : t('common.unknown')}
                    </td>
                    <td>
                      {restricted === undefined
                        ? t('common.unknown')
                        : t('farms.kwh', { value: format.number(restricted) })}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}
