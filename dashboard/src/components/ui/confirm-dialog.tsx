import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** What a confirmation asks: the action named, what it touches (how many machines), and its button. */
export interface Confirmation {
  readonly title: string;
  readonly body: ReactNode;
  readonly confirm: string;
}

const FOCUSABLE = 'button, [href], input, select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * A modal question before anything that stops machines or deletes: focus moves into it
 * (onto Cancel, the safe answer) and stays there, Escape cancels, and focus goes back to
 * what opened it.
 */
function ConfirmDialog({
  question,
  onAnswer,
}: {
  question: Confirmation;
  onAnswer: (confirmed: boolean) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    cancel.current?.focus();
    return () => {
      opener?.focus();
    };
  }, []);
  return (
    <div className="dialog-backdrop">
      <div
        ref={box}
        className="dialog card"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-body`}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            onAnswer(false);
            return;
          }
          if (event.key !== 'Tab' || !box.current) {
            return;
          }
          const focusable = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
          const first = focusable[0];
          const last = focusable[focusable.length - 1];
          if (event.shiftKey && document.activeElement === first) {
            event.preventDefault();
            last?.focus();
          } else if (!event.shiftKey && document.activeElement === last) {
            event.preventDefault();
            first?.focus();
          }
        }}
      >
        <h2 id={`${id}-title`}>{question.title}</h2>
        <div id={`${id}-body`}>{question.body}</div>
        <div className="dialog-actions">
          <button
            ref={cancel}
            type="button"
            onClick={() => {
              onAnswer(false);
            }}
          >
            {t('confirm.cancel')}
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              onAnswer(true);
            }}
          >
            {question.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}

/**
 * `ask(question)` opens the dialog and resolves with the answer; render `dialog` once in
 * the component that asks.
 */
export function useConfirm(): {
  readonly ask: (question: Confirmation) => Promise<boolean>;
  readonly dialog: ReactNode;
} {
  const [open, setOpen] = useState<{
    readonly question: Confirmation;
    readonly resolve: (confirmed: boolean) => void;
  } | null>(null);
  const ask = useCallback(
    (question: Confirmation) =>
      new Promise<boolean>((resolve) => {
        setOpen({ question, resolve });
      }),
    [],
  );
  const dialog =
    open === null ? null : (
      <ConfirmDialog
        question={open.question}
        onAnswer={(confirmed) => {
          setOpen(null);
          open.resolve(confirmed);
        }}
      />
    );
  return { ask, dialog };
}
