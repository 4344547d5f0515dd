import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../../../components/ui/text-field.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { notify } from '../../../lib/notify.ts';
import type { CommandFormProps } from './confirmed-order.tsx';

/**
 * The fans' mode sent as a `set-fan` command: automatic (the firmware follows the heat) or
 * a fixed speed in %. What the API refuses is said under the field it names; whether the
 * firmware can do it is the command's outcome, followed in the list below.
 */
export function FanSetting({ send, onQueued, disabled }: CommandFormProps) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<'auto' | 'manual'>('auto');
  const [percent, setPercent] = useState('');
  const name = t('devices.actions.set-fan');
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        // An empty or unreadable % is sent as none: the API names the missing field.
        const fanPercent = percent.trim() === '' ? Number.NaN : Number(percent);
        send.mutate(
          {
            action: 'set-fan',
            params: {
              fanMode: mode,
              ...(mode === 'manual' && Number.isFinite(fanPercent) && { fanPercent }),
            },
          },
          {
            onSuccess: (queued) => {
              onQueued(queued);
              notify(t('commands.queued', { action: name, device: queued.device }));
            },
          },
        );
      }}
    >
      <label>
        {t('devices.fans.mode')}
        <select
          value={mode}
          disabled={disabled}
          onChange={(event) => {
            setMode(event.target.value === 'manual' ? 'manual' : 'auto');
          }}
        >
          <option value="auto">{t('devices.fans.auto')}</option>
          <option value="manual">{t('devices.fans.manual')}</option>
        </select>
        <FieldError error={send.error} path="body.params.fanMode" />
      </label>
      {mode === 'manual' ? (
        <TextField
          label={t('devices.fans.percent')}
          inputMode="numeric"
          value={percent}
          onValue={setPercent}
          disabled={disabled}
          error={send.error}
          path="body.params.fanPercent"
        />
      ) : null}
      <button type="submit" disabled={disabled || send.isPending}>
        {name}
      </button>
    </form>
  );
}
