import { useEffect, useRef, useState } from 'react';
import { apiUrl } from './api-client.ts';

/**
 * Server-Sent Events from the API: `onEvent` is called with each named event's data;
 * the browser reconnects by itself when the stream drops. Returns whether it is open.
 */
export function useLiveEvents(
  path: string,
  events: readonly string[],
  onEvent: (event: string, data: unknown) => void,
): boolean {
  const [open, setOpen] = useState(false);
  // The latest callback, without reopening the stream on every render.
  const latest = useRef(onEvent);
  useEffect(() => {
    latest.current = onEvent;
  });
  const names = events.join(',');
  useEffect(() => {
    // Without EventSource (very old browsers) the page still works; it refreshes on its timers.
    if (typeof EventSource === 'undefined') {
      return;
    }
    const source = new EventSource(apiUrl(path));
    source.onopen = () => {
      setOpen(true);
    };
    source.onerror = () => {
      setOpen(false);
    };
    for (const event of names.split(',')) {
      source.addEventListener(event, (message: MessageEvent<string>) => {
        latest.current(event, JSON.parse(message.data) as unknown);
      });
    }
    return () => {
      source.close();
    };
  }, [path, names]);
  return open;
}
