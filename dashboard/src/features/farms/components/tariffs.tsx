import type { Tariff, TariffBand, TariffCreate } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { DateInput } from '../../../components/ui/date-input.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import { useAddTariff, useDeleteTariff, useReplaceTariff, useTariffs } from '../api/farm-changes.ts';
import { TextField } from '../../../components/ui/text-field.tsx';

const CURRENCIES: readonly TariffCreate['currency'][] = ['IRR', 'RUB', 'USD'];

/** A band being typed: its price as typed, and its first window (the form edits one; others stay). */
interface BandDraft {
  readonly name: string;
  readonly price: string;
  readonly from: string;
  readonly to: string;
  readonly rest: TariffBand['windows'];
}

const draftOf = (band: TariffBand): BandDraft => ({
  name: band.name,
  price: String(band.pricePerKwh),
  from: band.windows[0]?.from ?? '',
  to: band.windows[0]?.to ?? '',
  rest: band.windows.slice(1),
});

function TariffForm({
  farmId,
  editing,
  onDone,
}: {
  farmId: string;
  editing: Tariff | null;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const add = useAddTariff(farmId);
  const replace = useReplaceTariff(farmId);
  const change = editing === null ? add : replace;
  const [currency, setCurrency] = useState<TariffCreate['currency']>(editing?.currency ?? 'IRR');
  const [effectiveFrom, setEffectiveFrom] = useState(editing?.effectiveFrom ?? '');
  const [defaultPrice, setDefaultPrice] = useState(
    editing === null ? '' : String(editing.defaultPricePerKwh),
  );
  const [bands, setBands] = useState<readonly BandDraft[]>(editing?.bands.map(draftOf) ?? []);
  const setBand = (index: number, field: 'name' | 'price' | 'from' | 'to', value: string) => {
    setBands(bands.map((band, at) => (at === index ? { ...band, [field]: value } : band)));
  };
  return (
    <form
      className="stack"
      aria-label={editing === null ? t('tariffs.new') : t('tariffs.edit')}
      onSubmit={(event) => {
        event.preventDefault();
        const tariff: TariffCreate = {
          currency,
          effectiveFrom,
          defaultPricePerKwh: Number(defaultPrice),
          bands: bands.map((band) => ({
            name: band.name.trim(),
            pricePerKwh: Number(band.price),
            windows: [{ from: band.from, to: band.to }, ...band.rest],
          })),
        };
        const onSuccess = () => {
          notify(editing === null ? t('tariffs.added') : t('tariffs.saved'));
          onDone();
        };
        if (editing === null) {
          add.mutate(tariff, { onSuccess });
        } else {
          replace.mutate({ id: editing.id, tariff }, { onSuccess });
        }
      }}
    >
      <div className="inline-form">
        <label>
          {t('common.currency')}
          <select
            name="currency"
            value={currency}
            onChange={(event) => {
              setCurrency(event.target.value as TariffCreate['currency']);
            }}
          >
            {CURRENCIES.map((option) => (
              <option key={option}>{option}</option>
            ))}
          </select>
        </label>
        <label>
          {t('tariffs.effectiveFrom')}
          <DateInput name="effectiveFrom" required value={effectiveFrom} onChange={setEffectiveFrom} />
          <FieldError error={change.error} path="body.effectiveFrom" />
        </label>
        <TextField
          label={t('tariffs.defaultPrice')}
          name="defaultPricePerKwh"
          type="number"
          inputMode="decimal"
          step="any"
          required
          value={defaultPrice}
          onValue={setDefaultPrice}
          error={change.error}
          path="body.defaultPricePerKwh"
        />
      </div>
      <fieldset className="stack">
        <legend>{t('tariffs.bands')}</legend>
        {bands.map((band, index) => (
          <div key={index} className="inline-form">
            <label>
              {t('tariffs.bandName')}
              <input
                name={`bands.${String(index)}.name`}
                value={band.name}
                required
                onChange={(event) => {
                  setBand(index, 'name', event.target.value);
                }}
              />
              <FieldError error={change.error} path={`body.bands.${String(index)}.name`} />
            </label>
            <label>
              {t('tariffs.bandPrice')}
              <input
                name={`bands.${String(index)}.pricePerKwh`}
                type="number"
                inputMode="decimal"
                step="any"
                required
                value={band.price}
                onChange={(event) => {
                  setBand(index, 'price', event.target.value);
                }}
              />
              <FieldError error={change.error} path={`body.bands.${String(index)}.pricePerKwh`} />
            </label>
            <label>
              {t('tariffs.bandFrom')}
              <input
                name={`bands.${String(index)}.from`}
                dir="ltr"
                placeholder="19:00"
                required
                value={band.from}
                onChange={(event) => {
                  setBand(index, 'from', event.target.value);
                }}
              />
            </label>
            <label>
              {t('tariffs.bandTo')}
              <input
                name={`bands.${String(index)}.to`}
                dir="ltr"
                placeholder="23:00"
                required
                value={band.to}
                onChange={(event) => {
                  setBand(index, 'to', event.target.value);
                }}
              />
            </label>
            <FieldError error={change.error} path={`body.bands.${String(index)}.windows`} />
            <button
              type="button"
              onClick={() => {
                setBands(bands.filter((_, at) => at !== index));
              }}
            >
              {t('tariffs.removeBand')}
            </button>
          </div>
        ))}
        <div>
          <button
            type="button"
            disabled={bands.length >= 12}
            onClick={() => {
              setBands([...bands, { name: '', price: '', from: '', to: '', rest: [] }]);
            }}
          >
            {t('tariffs.addBand')}
          </button>
        </div>
      </fieldset>
      <div className="inline-form">
        <button type="submit" disabled={change.isPending}>
          {editing === null ? t('common.create') : t('common.save')}
        </button>
        {editing === null ? null : (
          <button type="button" onClick={onDone}>
            {t('confirm.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}

/** A farm's tariffs with their time-of-use bands: added, corrected, removed (after a confirmation). */
export function Tariffs({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: tariffs = [] } = useTariffs(farmId);
  const remove = useDeleteTariff(farmId);
  const { ask, dialog } = useConfirm();
  const [editing, setEditing] = useState<Tariff | null>(null);
  return (
    <Section title={t('tariffs.title')}>
      <ListTable
        items={tariffs}
        empty={t('common.none')}
        headers={[t('tariffs.effectiveFrom'), t('tariffs.defaultPrice'), t('tariffs.bands'), '']}
        row={(tariff) => (
          <tr key={tariff.id}>
            <td>{format.date(tariff.effectiveFrom)}</td>
            <td>
              {format.number(tariff.defaultPricePerKwh)} {tariff.currency}
            </td>
            <td>
              {tariff.bands.map((band) => (
                <div key={band.name}>
                  {band.name}: {format.number(band.pricePerKwh)}{' '}
                  <span dir="ltr">
                    {band.windows.map((window) => `${window.from}–${window.to}`).join(', ')}
                  </span>
                </div>
              ))}
            </td>
            <td>
              <div className="segmented">
                <button
                  type="button"
                  onClick={() => {
                    setEditing(tariff);
                  }}
                >
                  {t('tariffs.editOne')}
                </button>
                <button
                  type="button"
                  disabled={remove.isPending}
                  onClick={() => {
                    void (async () => {
                      const day = format.date(tariff.effectiveFrom);
                      if (
                        await ask({
                          title: t('tariffs.deleteTitle'),
                          body: t('tariffs.deleteBody', { day }),
                          confirm: t('common.delete'),
                        })
                      ) {
                        remove.mutate(tariff.id, {
                          onSuccess: () => {
                            notify(t('tariffs.deleted', { day }));
                          },
                        });
                      }
                    })();
                  }}
                >
                  {t('common.delete')}
                </button>
              </div>
            </td>
          </tr>
        )}
      />
      <TariffForm
        key={editing?.id ?? 'new'}
        farmId={farmId}
        editing={editing}
        onDone={() => {
          setEditing(null);
        }}
      />
      {dialog}
    </Section>
  );
}
