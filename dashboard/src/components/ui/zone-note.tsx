import { useTranslation } from 'react-i18next';
import { useNow } from '../../lib/clock.ts';
import { useFormat } from '../../lib/format.ts';

/**
 * The reader's own time zone as its language names it ("Iran Standard Time", "وقت عادی
 * ایران"), at `atMs` (a zone's name changes with summer time); its IANA name where the
 * language has no name for it.
 */
export function readerZone(locale: string, atMs: number): string {
  const named = new Intl.DateTimeFormat(locale, { timeZoneName: 'long' })
    .formatToParts(atMs)
    .find((part) => part.type === 'timeZoneName')?.value;
  return named ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Names the clock the times beside it are on, the reader's: where a farm's operator, its
 * grid operator and its regulator may each be in another zone, a bare 19:00 is ambiguous.
 */
export function ZoneNote() {
  const { t } = useTranslation();
  const format = useFormat();
  const now = useNow();
  return <p className="muted zone-note">{t('common.yourClock', { zone: readerZone(format.locale, now) })}</p>;
}
