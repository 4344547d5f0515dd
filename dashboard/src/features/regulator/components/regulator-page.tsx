import type { EnergySummary } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useNow } from '../../../lib/clock.ts';
import { useFormat } from '../../../lib/format.ts';
import { useRegulatedEnergy, useRegulatedFarms } from '../api/get-jurisdiction.ts';

/**
 * A metered figure of the last 30 days: labelled partial when the meters covered only part
 * of them, unknown (never 0) when they covered none, with the API's reason.
 */
function Measured({
  value,
  basis,
  reason,
  explain = false,
}: {
  value: string | null;
  basis: EnergySummary['basis'];
  reason: string | null;
  /** Write the reason out, not only as a tooltip: once a row is enough. */
  explain?: boolean;
}) {
  const { t } = useTranslation();
  const label = value === null ? 'unknown' : basis;
  return (
    <span title={reason ?? undefined}>
      {value ?? t('common.unknown')}
      {label === 'measured' ? null : <span className="badge"> {t(`farms.basis.${label}`)}</span>}
      {reason === null || !explain ? null : (
        <small className="muted" dir="ltr">
          {' '}
          {reason}
        </small>
      )}
    </span>
  );
}

export function RegulatorPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: farms } = useRegulatedFarms();
  const now = useNow();
  const energy = useRegulatedEnergy(farms?.map((farm) => farm.id) ?? [], now);
  if (!farms) {
    return <p aria-busy="true">{t('app.loading')}</p>;
  }
  // A small farm's demand in W: 36 W is not "0 kW".
  const kw = (value: number): string =>
    value < 1
      ? t('farms.w', { value: format.number(value * 1000, 0) })
      : t('farms.kw', { value: format.number(value, 0) });
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
              <Measured
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
