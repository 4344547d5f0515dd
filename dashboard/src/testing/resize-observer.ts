import { vi } from 'vitest';

/**
 * jsdom has no ResizeObserver, which the time chart sets up with each plot: a stand-in
 * that records what it observes and how many were made (one per plot set up).
 */
export function stubResizeObserver(): { readonly made: () => number } {
  let made = 0;
  vi.stubGlobal(
    'ResizeObserver',
    class {
      observed: Element[] = [];
      constructor() {
        made += 1;
      }
      observe(element: Element): void {
        this.observed.push(element);
      }
      disconnect(): void {
        this.observed = [];
      }
    },
  );
  return { made: () => made };
}
