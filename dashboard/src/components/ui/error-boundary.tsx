import { Component, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

function Failure({ message, onRetry }: { message: string; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <div role="alert" className="failure">
      <p>{t('app.failed', { message })}</p>
      <button type="button" onClick={onRetry}>
        {t('app.retry')}
      </button>
    </div>
  );
}

/** One area of a page failing shows its error there; the rest of the page carries on. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  override state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error) {
      return (
        <Failure
          message={error.message}
          onRetry={() => {
            this.setState({ error: undefined });
          }}
        />
      );
    }
    return this.props.children;
  }
}
