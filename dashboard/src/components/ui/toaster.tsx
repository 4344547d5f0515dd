import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onApiError } from '../../lib/api-client.ts';
import { errorText } from '../../lib/error-text.ts';
import { onNotice, type Notice } from '../../lib/notify.ts';

interface Toast extends Notice {
  readonly id: number;
}

const SHOWN_MS = 6_000;
let next = 0;

/** Every failed API call, said once in the reader's language by its error code, and what each change did. */
export function Toaster() {
  const { t, i18n } = useTranslation();
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  useEffect(() => {
    const show = (notice: Notice) => {
      const id = (next += 1);
      setToasts((shown) => [...shown.slice(-2), { id, ...notice }]);
      setTimeout(() => {
        setToasts((shown) => shown.filter((toast) => toast.id !== id));
      }, SHOWN_MS);
    };
    const stopErrors = onApiError((error) => {
      show({ text: errorText(t, i18n, error), tone: 'bad' });
    });
    const stopNotices = onNotice(show);
    return () => {
      stopErrors();
      stopNotices();
    };
  }, [t, i18n]);
  return (
    <div className="toaster" role="status" aria-live="polite">
      {toasts.map(({ id, text, tone }) => (
        <div key={id} className={`toast ${tone}`}>
          {text}
        </div>
      ))}
    </div>
  );
}
