import type { RestrictedWindow, RestrictedWindowCreate } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { DateInput } from '../../../components/ui/date-input.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { notify } from '../../../lib/notify.ts';
import { useAddWindow, useDeleteWindow } from '../api/farm-changes.ts';

const WINDOW_CLASSES: readonly RestrictedWindowCreate['class'][] = [
  'critical_peak',
  'restricted',
  'seasonal_ban',
];

type WindowText = 'from' | 'to' | 'validFrom' | 'validTo' | 'noticeRef';
const WINDOW_TEXTS: readonly [WindowText, string][] = [
  ['from', 'time'],
  ['to', 'text'],
  ['validFrom', 'date'],
  ['validTo', 'date'],
  ['noticeRef', 'text'],
];

/** A restricted window of the farm's local time, over a season; blank optional fields are left out. */
export function WindowForm({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const add = useAddWindow(farmId);
  const [windowClass, setWindowClass] = useState<RestrictedWindowCreate['class']>('critical_peak');
  const [texts, setTexts] = useState<Record<WindowText, string>>({
    from: '19:00',
    to: '23:00',
    validFrom: '',
    validTo: '',
    noticeRef: '',
  });
  return (
    <form
      className="inline-form"
      aria-label={t('curtailment.newWindow')}
      onSubmit={(event) => {
        event.preventDefault();
        const window: RestrictedWindowCreate = {
          class: windowClass,
          from: texts.from,
          to: texts.to,
          validFrom: texts.validFrom,
          ...(texts.validTo === '' ? {} : { validTo: texts.validTo }),
          ...(texts.noticeRef.trim() === '' ? {} : { noticeRef: texts.noticeRef.trim() }),
        };
        add.mutate(window, {
          onSuccess: () => {
            notify(t('curtailment.windowAdded'));
          },
        });
      }}
    >
      <label>
        {t('curtailment.window.class')}
        <select
          name="class"
          value={windowClass}
          onChange={(event) => {
            setWindowClass(event.target.value as RestrictedWindowCreate['class']);
          }}
        >
          {WINDOW_CLASSES.map((option) => (
            <option key={option} value={option}>
              {t(`farms.windowClasses.${option}`)}
            </option>
          ))}
        </select>
      </label>
      {WINDOW_TEXTS.map(([field, type]) => (
        <label key={field}>
          {t(`curtailment.window.${field}`)}
          {type === 'date' ? (
            <DateInput
              name={field}
              value={texts[field]}
              required={field !== 'validTo'}
              onChange={(day) => {
                setTexts({ ...texts, [field]: day });
              }}
            />
          ) : (
            <input
              name={field}
              type={type}
              dir="ltr"
              value={texts[field]}
              required={field !== 'validTo' && field !== 'noticeRef'}
              onChange={(event) => {
                setTexts({ ...texts, [field]: event.target.value });
              }}
            />
          )}
          <FieldError error={add.error} path={`body.${field}`} />
        </label>
      ))}
      <button type="submit" disabled={add.isPending}>
        {t('common.create')}
      </button>
    </form>
  );
}

/** Removes a window the farm set, after a confirmation; a country's or region's window has no button. */
export function DeleteWindow({ farmId, window }: { farmId: string; window: RestrictedWindow }) {
  const { t } = useTranslation();
  const remove = useDeleteWindow(farmId);
  const { ask, dialog } = useConfirm();
  if (window.farmId === null) {
    return <span className="muted">{t('curtailment.gridWindow')}</span>;
  }
  const name = `${t(`farms.windowClasses.${window.class}`)} ${window.from}–${window.to}`;
  return (
    <>
      <button
        type="button"
        disabled={remove.isPending}
        aria-label={t('curtailment.deleteWindowNamed', { name })}
        onClick={() => {
          void (async () => {
            if (
              await ask({
                title: t('curtailment.deleteWindowTitle'),
                body: t('curtailment.deleteWindowBody', { name }),
                confirm: t('common.delete'),
              })
            ) {
              remove.mutate(window.id, {
                onSuccess: () => {
                  notify(t('curtailment.windowDeleted', { name }));
                },
              });
            }
          })();
        }}
      >
        {t('common.delete')}
      </button>
      {dialog}
    </>
  );
}
