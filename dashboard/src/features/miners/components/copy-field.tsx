import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A value to type into a miner's settings, with a button that copies it. The clipboard
 * needs a secure page (HTTPS or localhost): elsewhere the value is selected to copy by hand.
 */
export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const id = useId();
  return (
    <div className="copy-field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        readOnly
        dir="ltr"
        className="mono"
        value={value}
        onFocus={(event) => {
          event.target.select();
        }}
      />
      <button
        type="button"
        onClick={() => {
          const copying =
            typeof navigator.clipboard === 'undefined' ? undefined : navigator.clipboard.writeText(value);
          if (!copying) {
            setState('failed');
            return;
          }
          copying.then(
            () => {
              setState('copied');
            },
            () => {
              setState('failed');
            },
          );
        }}
      >
        {t('connect.copy')}
      </button>
      <span role="status" className="muted">
        {state === 'copied' ? t('connect.copied') : state === 'failed' ? t('connect.copyFailed') : ''}
      </span>
    </div>
  );
}
