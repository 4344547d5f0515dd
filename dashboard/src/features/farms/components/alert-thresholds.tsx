import type { AlertThresholdsPatch, AlertThresholdValues, FarmAlertThresholds } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Section } from '../../../components/ui/stat.tsx';
import { TextField } from '../../../components/ui/text-field.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useAlertThresholds, useUpdateAlertThresholds } from '../api/farm-changes.ts';

type Threshold = keyof AlertThresholdValues;

/** In the order offered, each range low end first, with the step its input takes (whole minutes and rpm). */
const THRESHOLDS: readonly [Threshold, string][] = [
  ['silentMinutes', '1'],
  ['minChipTempC', '0.1'],
  ['maxChipTempC', '0.1'],
  ['minFanRpm', '1'],
  ['maxFanRpm', '1'],
  ['maxFanPercent', '0.1'],
  ['gapPercent', '0.1'],
  ['windowLeadMinutes', '1'],
];

const textsOf = (overrides: FarmAlertThresholds['overrides']): Record<Threshold, string> =>
  Object.fromEntries(
    THRESHOLDS.map(([name]) => [name, overrides[name] === null ? '' : String(overrides[name])]),
  ) as Record<Threshold, string>;

function ThresholdsForm({ farmId, thresholds }: { farmId: string; thresholds: FarmAlertThresholds }) {
  const { t } = useTranslation();
  const format = useFormat();
  const update = useUpdateAlertThresholds(farmId);
  const [texts, setTexts] = useState(() => textsOf(thresholds.overrides));
  return (
    <form
      className="inline-form"
      aria-label={t('alertThresholds.title')}
      onSubmit={(event) => {
        event.preventDefault();
        // Blank returns a threshold to the pool's default; anything else is the API's to judge.
        const patch = Object.fromEntries(
          THRESHOLDS.map(([name]) => [name, texts[name].trim() === '' ? null : Number(texts[name])]),
        ) as AlertThresholdsPatch;
        update.mutate(patch, {
          onSuccess: (saved) => {
            setTexts(textsOf(saved.overrides));
            notify(t('alertThresholds.saved'));
          },
        });
      }}
    >
      {THRESHOLDS.map(([name, step]) => (
        <TextField
          key={name}
          name={name}
          type="number"
          inputMode="decimal"
          step={step}
          dir="ltr"
          label={t(`alertThresholds.${name}`)}
          placeholder={t('alertThresholds.poolDefault', {
            value: format.number(
              thresholds.defaults[name],
              Number.isInteger(thresholds.defaults[name]) ? 0 : 1,
            ),
          })}
          value={texts[name]}
          error={update.error}
          path={`body.${name}`}
          onValue={(value) => {
            setTexts({ ...texts, [name]: value });
          }}
        />
      ))}
      <button type="submit" disabled={update.isPending}>
        {t('alertThresholds.save')}
      </button>
    </form>
  );
}

/** The thresholds this farm's alerts are raised at: its own where set, the pool's elsewhere. */
export function AlertThresholds({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const { data } = useAlertThresholds(farmId);
  return (
    <Section title={t('alertThresholds.title')}>
      <p className="muted">{t('alertThresholds.intro')}</p>
      {data === undefined ? null : <ThresholdsForm key={data.farmId} farmId={farmId} thresholds={data} />}
    </Section>
  );
}
