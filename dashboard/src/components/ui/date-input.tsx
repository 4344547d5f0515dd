import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../lib/format.ts';
import {
  daysInSolarHijriMonth,
  fromSolarHijri,
  localIsoDay,
  solarHijriMonthNames,
  toSolarHijri,
} from '../../lib/solar-hijri.ts';

/** The years offered around this one when the caller names none. */
const YEARS_BACK = 10;
const YEARS_AHEAD = 1;

interface Draft {
  readonly year: string;
  readonly month: string;
  readonly day: string;
}

function draftOf(value: string): Draft {
  const day = toSolarHijri(value);
  return day === null
    ? { year: '', month: '', day: '' }
    : { year: String(day.year), month: String(day.month), day: String(day.day) };
}

/**
 * A day, given and taken as an ISO day (`2024-03-20`, what the API speaks; '' for none).
 * In Persian it is picked in the Solar Hijri calendar: day, month and year lists, since
 * the browser's own date picker knows only the Gregorian one. Elsewhere it is the
 * browser's date picker.
 */
export function DateInput({
  value,
  onChange,
  name,
  required = false,
  years,
}: {
  value: string;
  onChange: (isoDay: string) => void;
  name?: string | undefined;
  required?: boolean;
  /** The Solar Hijri years offered, oldest first; by default the last ten, this one and the next. */
  years?: readonly number[];
}) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [draft, setDraft] = useState(() => draftOf(value));
  const [thisYear] = useState(() => Number(draftOf(localIsoDay(Date.now())).year));
  const [shownValue, setShownValue] = useState(value);
  if (value !== shownValue) {
    // A new value from outside (a reset, another field): show it, dropping a half-picked day.
    setShownValue(value);
    setDraft(draftOf(value));
  }
  if (i18n.language !== 'fa') {
    return (
      <input
        type="date"
        name={name}
        required={required}
        value={value}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
    );
  }
  const offered = new Set(
    years ??
      Array.from({ length: YEARS_BACK + YEARS_AHEAD + 1 }, (_, index) => thisYear - YEARS_BACK + index),
  );
  if (draft.year !== '') {
    offered.add(Number(draft.year));
  }
  // A year is a name, not a quantity: ۱۴۰۳, never ۱٬۴۰۳.
  const yearText = new Intl.NumberFormat(format.locale, { useGrouping: false });
  const monthNames = solarHijriMonthNames(format.locale);
  const days =
    draft.year !== '' && draft.month !== ''
      ? daysInSolarHijriMonth(Number(draft.year), Number(draft.month))
      : 31;
  const pick = (part: keyof Draft, text: string) => {
    const next = { ...draft, [part]: text };
    const last =
      next.year !== '' && next.month !== ''
        ? daysInSolarHijriMonth(Number(next.year), Number(next.month))
        : 31;
    // 31 Shahrivar, then Mehr: the 30th, the month's last day, rather than no day at all.
    const fitted = next.day !== '' && Number(next.day) > last ? { ...next, day: String(last) } : next;
    const iso =
      fitted.year !== '' && fitted.month !== '' && fitted.day !== ''
        ? fromSolarHijri({ year: Number(fitted.year), month: Number(fitted.month), day: Number(fitted.day) })
        : null;
    setDraft(fitted);
    setShownValue(iso ?? '');
    onChange(iso ?? '');
  };
  return (
    <span className="date-picker" role="group">
      <select
        name={name === undefined ? undefined : `${name}-day`}
        aria-label={t('datePicker.day')}
        required={required}
        value={draft.day}
        onChange={(event) => {
          pick('day', event.target.value);
        }}
      >
        <option value="">{t('common.unknown')}</option>
        {Array.from({ length: days }, (_, index) => (
          <option key={index} value={String(index + 1)}>
            {format.number(index + 1)}
          </option>
        ))}
      </select>
      <select
        name={name === undefined ? undefined : `${name}-month`}
        aria-label={t('datePicker.month')}
        required={required}
        value={draft.month}
        onChange={(event) => {
          pick('month', event.target.value);
        }}
      >
        <option value="">{t('common.unknown')}</option>
        {monthNames.map((month, index) => (
          <option key={month} value={String(index + 1)}>
            {month}
          </option>
        ))}
      </select>
      <select
        name={name === undefined ? undefined : `${name}-year`}
        aria-label={t('datePicker.year')}
        required={required}
        value={draft.year}
        onChange={(event) => {
          pick('year', event.target.value);
        }}
      >
        <option value="">{t('common.unknown')}</option>
        {[...offered]
          .sort((a, b) => a - b)
          .map((year) => (
            <option key={year} value={String(year)}>
              {yearText.format(year)}
            </option>
          ))}
      </select>
    </span>
  );
}

/**
 * A moment on the reader's clock, given and taken as `datetime-local` writes it
 * (`2024-03-20T19:30`; '' for none). In Persian its day is picked in the Solar Hijri
 * calendar (DateInput) and its time beside it; elsewhere it is the browser's picker.
 */
export function DateTimeInput({
  value,
  onChange,
  name,
  required = false,
  invalid = false,
}: {
  value: string;
  onChange: (local: string) => void;
  name?: string | undefined;
  required?: boolean;
  /** The form found the moment wrong (its message beside it): told to assistive technology. */
  invalid?: boolean;
}) {
  const { i18n } = useTranslation();
  if (i18n.language !== 'fa') {
    return (
      <input
        type="datetime-local"
        name={name}
        required={required}
        aria-invalid={invalid}
        value={value}
        onChange={(event) => {
          onChange(event.target.value);
        }}
      />
    );
  }
  const [day = '', time = ''] = value.split('T');
  // A day picked before its time starts at midnight, as the browser's picker would not allow.
  const join = (nextDay: string, nextTime: string): string =>
    nextDay === '' ? '' : `${nextDay}T${nextTime === '' ? '00:00' : nextTime}`;
  return (
    <span className="date-picker">
      <DateInput
        name={name}
        required={required}
        value={day}
        onChange={(nextDay) => {
          onChange(join(nextDay, time));
        }}
      />
      <input
        type="time"
        dir="ltr"
        name={name === undefined ? undefined : `${name}-time`}
        required={required}
        aria-invalid={invalid}
        value={time}
        onChange={(event) => {
          onChange(join(day, event.target.value));
        }}
      />
    </span>
  );
}
