import type { PoolSettings, PriceCreate, RateType } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DateTimeInput } from '../../../components/ui/date-input.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useAddPrice, useUpdatePoolSettings } from '../api/admin.ts';
import { TextField } from '../../../components/ui/text-field.tsx';

/** The fee and payouts, changed while the pool runs; the rest of the settings are shown, set in the configuration. */
export function PoolSettingsForm({ settings }: { settings: PoolSettings }) {
  const { t } = useTranslation();
  const format = useFormat();
  const update = useUpdatePoolSettings();
  const [fee, setFee] = useState(String(settings.feePercent));
  const [threshold, setThreshold] = useState(String(settings.payoutThresholdSats));
  const [payoutsEnabled, setPayoutsEnabled] = useState(settings.payoutsEnabled);
  return (
    <>
      <p className="muted">
        {t('admin.settingsFixed', {
          scheme: settings.scheme.toUpperCase(),
          solo: format.number(settings.soloFeePercent),
          confirmations: format.number(settings.maturityConfirmations),
        })}
      </p>
      <form
        className="inline-form"
        aria-label={t('admin.settings')}
        onSubmit={(event) => {
          event.preventDefault();
          update.mutate(
            { feePercent: Number(fee), payoutThresholdSats: Number(threshold), payoutsEnabled },
            {
              onSuccess: () => {
                notify(t('admin.settingsSaved'));
              },
            },
          );
        }}
      >
        <TextField
          label={t('admin.feePercent')}
          name="feePercent"
          type="number"
          inputMode="decimal"
          step="any"
          value={fee}
          onValue={setFee}
          error={update.error}
          path="body.feePercent"
        />
        <TextField
          label={t('admin.payoutThresholdSats')}
          name="payoutThresholdSats"
          type="number"
          inputMode="numeric"
          value={threshold}
          onValue={setThreshold}
          error={update.error}
          path="body.payoutThresholdSats"
        />
        <label className="check">
          <input
            type="checkbox"
            name="payoutsEnabled"
            checked={payoutsEnabled}
            onChange={(event) => {
              setPayoutsEnabled(event.target.checked);
            }}
          />
          {t('admin.payoutsEnabled')}
        </label>
        <button type="submit" disabled={update.isPending}>
          {t('common.save')}
        </button>
      </form>
    </>
  );
}

const PAIRS: readonly [string, string][] = [
  ['BTC', 'USD'],
  ['USD', 'IRR'],
  ['USD', 'RUB'],
];
const RATE_TYPES: readonly RateType[] = ['market', 'official', 'sana', 'nima', 'free_market'];

/** A price or exchange rate entered by hand, now or as it held at a moment. */
export function PriceForm() {
  const { t } = useTranslation();
  const format = useFormat();
  const add = useAddPrice();
  const [pair, setPair] = useState('BTC/USD');
  const [rateType, setRateType] = useState<RateType>('market');
  const [value, setValue] = useState('');
  const [at, setAt] = useState('');
  return (
    <form
      className="inline-form"
      aria-label={t('admin.prices')}
      onSubmit={(event) => {
        event.preventDefault();
        const [base = '', quote = ''] = pair.split('/');
        const atMs = Date.parse(at);
        const price: PriceCreate = {
          base,
          quote,
          rateType,
          value: Number(value),
          ...(Number.isNaN(atMs) ? {} : { at: new Date(atMs).toISOString() }),
        };
        add.mutate(price, {
          onSuccess: (added) => {
            notify(
              t('admin.priceAdded', {
                pair: `${added.base}/${added.quote}`,
                value: format.number(added.value),
              }),
            );
            setValue('');
          },
        });
      }}
    >
      <label>
        {t('admin.pair')}
        <select
          name="pair"
          dir="ltr"
          value={pair}
          onChange={(event) => {
            setPair(event.target.value);
          }}
        >
          {PAIRS.map(([base, quote]) => (
            <option key={`${base}/${quote}`}>{`${base}/${quote}`}</option>
          ))}
        </select>
      </label>
      <label>
        {t('common.rateType')}
        <select
          name="rateType"
          value={rateType}
          onChange={(event) => {
            setRateType(event.target.value as RateType);
          }}
        >
          {RATE_TYPES.map((option) => (
            <option key={option} value={option}>
              {t(`rateTypes.${option}`)}
            </option>
          ))}
        </select>
        <FieldError error={add.error} path="body.rateType" />
      </label>
      <TextField
        label={t('admin.value')}
        name="value"
        type="number"
        inputMode="decimal"
        step="any"
        required
        value={value}
        onValue={setValue}
        error={add.error}
        path="body.value"
      />
      <label>
        {t('admin.priceAt')}
        <DateTimeInput name="at" value={at} onChange={setAt} />
        <FieldError error={add.error} path="body.at" />
      </label>
      <button type="submit" disabled={add.isPending}>
        {t('admin.recordPrice')}
      </button>
    </form>
  );
}
