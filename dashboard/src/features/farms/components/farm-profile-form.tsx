import type { Farm, FarmPatch } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Section } from '../../../components/ui/stat.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { notify } from '../../../lib/notify.ts';
import { useUpdateFarm } from '../api/farm-changes.ts';

type LicenceField = keyof Farm['licence'];
const LICENCE_FIELDS: readonly [LicenceField, string][] = [
  ['number', 'text'],
  ['authority', 'text'],
  ['capacityKw', 'number'],
  ['validFrom', 'date'],
  ['validTo', 'date'],
  ['registerEntry', 'text'],
  ['taxId', 'text'],
];

const textOf = (value: string | number | null): string => (value === null ? '' : String(value));

/** Where a farm is, its time zone and its licence: blank clears a field (null), as the API reads it. */
export function FarmProfileForm({ farm }: { farm: Farm }) {
  const { t } = useTranslation();
  const update = useUpdateFarm(farm.id);
  const [name, setName] = useState(farm.name);
  const [country, setCountry] = useState(textOf(farm.country));
  const [region, setRegion] = useState(textOf(farm.region));
  const [timezone, setTimezone] = useState(farm.timezone);
  const [licence, setLicence] = useState<Record<LicenceField, string>>(
    Object.fromEntries(LICENCE_FIELDS.map(([field]) => [field, textOf(farm.licence[field])])) as Record<
      LicenceField,
      string
    >,
  );
  const orNull = (value: string): string | null => (value.trim() === '' ? null : value.trim());
  const plain = (label: string, field: string, value: string, set: (next: string) => void) => (
    <label>
      {label}
      <input
        name={field}
        dir="ltr"
        value={value}
        onChange={(event) => {
          set(event.target.value);
        }}
      />
      <FieldError error={update.error} path={`body.${field}`} />
    </label>
  );
  return (
    <Section title={t('farmProfile.title')}>
      <form
        className="inline-form"
        aria-label={t('farmProfile.title')}
        onSubmit={(event) => {
          event.preventDefault();
          const capacity = orNull(licence.capacityKw);
          const patch: FarmPatch = {
            name: name.trim(),
            country: orNull(country),
            region: orNull(region),
            timezone: timezone.trim(),
            licence: {
              number: orNull(licence.number),
              authority: orNull(licence.authority),
              capacityKw: capacity === null ? null : Number(capacity),
              validFrom: orNull(licence.validFrom),
              validTo: orNull(licence.validTo),
              registerEntry: orNull(licence.registerEntry),
              taxId: orNull(licence.taxId),
            },
          };
          update.mutate(patch, {
            onSuccess: () => {
              notify(t('farmProfile.saved'));
            },
          });
        }}
      >
        {plain(t('farmProfile.name'), 'name', name, setName)}
        {plain(t('farms.country'), 'country', country, setCountry)}
        {plain(t('farms.region'), 'region', region, setRegion)}
        {plain(t('farmProfile.timezone'), 'timezone', timezone, setTimezone)}
        {LICENCE_FIELDS.map(([field, type]) => (
          <label key={field}>
            {t(`farmProfile.licence.${field}`)}
            <input
              name={`licence.${field}`}
              type={type}
              dir="ltr"
              value={licence[field]}
              onChange={(event) => {
                setLicence({ ...licence, [field]: event.target.value });
              }}
            />
            <FieldError error={update.error} path={`body.licence.${field}`} />
          </label>
        ))}
        <button type="submit" disabled={update.isPending}>
          {t('common.save')}
        </button>
      </form>
    </Section>
  );
}
