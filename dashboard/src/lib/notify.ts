/** A message for the toaster that is not an API failure: what a change did, in the reader's words. */
export interface Notice {
  readonly text: string;
  readonly tone: 'ok' | 'bad';
}

type NoticeListener = (notice: Notice) => void;
const listeners = new Set<NoticeListener>();

export function onNotice(listener: NoticeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Shown by the toaster beside the API's failures. */
export function notify(text: string, tone: Notice['tone'] = 'ok'): void {
  listeners.forEach((listener) => {
    listener({ text, tone });
  });
}
