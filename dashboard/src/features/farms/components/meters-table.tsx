import type { FarmMeter, FarmPower } from '@hashwatt/schemas';
import { useTranslation } from 'react-i18next';
import { usePowerText } from '../../../components/ui/figure.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat, type Formats } from '../../../lib/format.ts';

function kwh(format: Formats, t: (key: string, options: { value: string }) => string, wh: number): string {
  return t('farms.kwh', { value: format.number(wh / 1000, 1) });
}

/**
 * Each meter of the farm: its latest reading with the energy of each tariff register, and
 * a failed read that came after it, when and why (the agent's words, in English). A meter
 * whose read failed is unknown since: its last figures stay shown with their time.
 */
export function MetersTable({ power }: { power: FarmPower | undefined }) {
  const { t } = useTranslation();
  const format = useFormat();
  const powerText = usePowerText();
  const meters: readonly FarmMeter[] = power?.meter?.meters ?? [];
  return (
    <Section title={t('farms.meterView.title')}>
      <ListTable
        items={meters}
        empty={t('farms.meterView.none')}
        headers={[
          t('farms.meterView.name'),
          t('farms.meterView.serial'),
          t('farms.meterView.readAt'),
          t('farms.meterView.power'),
          t('farms.meterView.energy'),
          t('farms.meterView.tariffs'),
          t('farms.meterView.status'),
        ]}
        row={(meter) => {
          const tariffs = Object.entries(meter.tariffEnergyWh);
          return (
            <tr key={meter.name}>
              <td>{meter.name}</td>
              <td dir="ltr">{meter.serial ?? '–'}</td>
              <td>{meter.at === null ? t('farms.meterView.never') : format.dateTime(meter.at)}</td>
              <td>{meter.watts === null ? t('common.unknown') : powerText(meter.watts)}</td>
              <td>{meter.energyWh === null ? t('common.unknown') : kwh(format, t, meter.energyWh)}</td>
              <td>
                {tariffs.length === 0 ? (
                  <span className="muted">{t('farms.meterView.noTariffs')}</span>
                ) : (
                  <ul>
                    {tariffs.map(([name, wh]) => (
                      <li key={name}>
                        <span dir="auto">{name}</span>: {kwh(format, t, wh)}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                {meter.failure === null ? (
                  meter.at === null ? (
                    t('common.unknown')
                  ) : (
                    t('farms.meterView.read')
                  )
                ) : (
                  <span className="alert-text">
                    {t('farms.meterView.failed', { at: format.dateTime(meter.failure.at) })}
                    {format.separator}
                    <span dir="ltr">{meter.failure.reason}</span>
                  </span>
                )}
              </td>
            </tr>
          );
        }}
      />
    </Section>
  );
}
