import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { onApiError, type ApiError } from '../../lib/api-client.ts';
import { errorText } from '../../lib/error-text.ts';

interface Toast {
  readonly id: number;
  readonly error: ApiError;
}

const SHOWN_MS = 6_000;

/** Every failed API call, said once in the reader's language by its error code. */
export function Toaster() {
  const { t, i18n } = useTranslation();
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  useEffect(() => {
    let next = 0;
    return onApiError((error) => {
      const id = (next += 1);
      setToasts((shown) => [...shown.slice(-2), { id, error }]);
      setTimeout(() => {
        setToasts((shown) => shown.filter((toast) => toast.id !== id));
      }, SHOWN_MS);
    });
  }, []);
  return (
    <div className="toaster" role="status" aria-live="polite">
      {toasts.map(({ id, error }) => (
        <div key={id} className="toast">
          {errorText(t, i18n, error)}
        </div>
      ))}
    </div>
  );
}
