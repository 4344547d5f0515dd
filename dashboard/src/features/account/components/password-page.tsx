import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../lib/api-client.ts';
import { errorText } from '../../../lib/error-text.ts';
import { useChangePassword } from '../api/change-password.ts';

/** Same limits as the API's NewPassword: checked here first so a slip costs no round trip. */
const MIN_LENGTH = 12;
const MAX_LENGTH = 1024;

/** The signed-in user changes their own password; this session stays, the others end. */
export function PasswordPage() {
  const { t, i18n } = useTranslation();
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const failure = change.error instanceof ApiError ? change.error : undefined;
  const field = (
    name: string,
    label: string,
    value: string,
    set: (value: string) => void,
    autoComplete: 'current-password' | 'new-password',
  ) => (
    <label>
      {t(label)}
      <input
        type="password"
        name={name}
        autoComplete={autoComplete}
        dir="ltr"
        required
        maxLength={MAX_LENGTH}
        {...(autoComplete === 'new-password' && { minLength: MIN_LENGTH })}
        value={value}
        onChange={(event) => {
          set(event.target.value);
          change.reset();
          setMismatch(false);
        }}
      />
    </label>
  );
  return (
    <div className="page narrow">
      <h1>{t('password.title')}</h1>
      <p>{t('password.intro')}</p>
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (next !== repeat) {
            setMismatch(true);
            return;
          }
          change.mutate(
            { currentPassword: current, newPassword: next },
            {
              onSuccess: () => {
                setCurrent('');
                setNext('');
                setRepeat('');
              },
            },
          );
        }}
      >
        {field('currentPassword', 'password.current', current, setCurrent, 'current-password')}
        {field('newPassword', 'password.new', next, setNext, 'new-password')}
        {field('repeatPassword', 'password.repeat', repeat, setRepeat, 'new-password')}
        {mismatch && <p role="alert">{t('password.mismatch')}</p>}
        {failure && <p role="alert">{errorText(t, i18n, failure)}</p>}
        {change.isSuccess && <p role="status">{t('password.changed')}</p>}
        <button type="submit" disabled={change.isPending}>
          {t('password.submit')}
        </button>
      </form>
    </div>
  );
}
