/**
 * What the phone-layout test (test/integration/phone-layout.test.ts) measures in the
 * browser. It lives here, where the DOM's types are known; Playwright sends the function's
 * text to the page, so it must use nothing from outside its own body.
 */

/** What does not fit the screen; all empty (and `scrollsSideways` false) when a page fits. */
export interface PhoneFit {
  /** The page's width when it is wider than the screen: it scrolls sideways. */
  readonly scrollsSideways: string | false;
  /** html or body hiding their overflow, which would hide a page too wide rather than fit it. */
  readonly hiddenOverflow: readonly string[];
  /** Elements reaching past the screen's edges outside any scrolling box (the outermost of each). */
  readonly sticksOut: readonly string[];
  /** Figure cards whose value is wider than the card shows, or runs out of its card. */
  readonly clipped: readonly string[];
}

/** The language the next page load starts in (the dashboard keeps the reader's choice here). */
export function chooseLanguage(language: string): void {
  localStorage.setItem('hashwatt.language', language);
}

/** A page is ready when its heading is there, in the language, and nothing is still loading. */
export function pageReady(language: string): boolean {
  return (
    document.documentElement.lang === language &&
    document.querySelector('main h1') !== null &&
    document.querySelector('main [aria-busy="true"]') === null
  );
}

/** Settles when the fonts the page uses are loaded: text is measured at its final width. */
export async function fontsLoaded(): Promise<void> {
  await document.fonts.ready;
}

export function measurePhoneFit(): PhoneFit {
  const width = document.documentElement.clientWidth;
  const describe = (element: Element): string => {
    const name = element.tagName.toLowerCase();
    const classes = [...element.classList].map((value) => `.${value}`).join('');
    const text = element.textContent.trim().slice(0, 40);
    const box = element.getBoundingClientRect();
    return `${name}${classes} "${text}" [${String(Math.round(box.left))}, ${String(Math.round(box.right))}]`;
  };
  const scrolls = (element: Element): boolean => {
    const { overflowX } = getComputedStyle(element);
    return overflowX === 'auto' || overflowX === 'scroll';
  };
  const insideScroller = (element: Element): boolean => {
    for (let at = element.parentElement; at !== null && at !== document.body; at = at.parentElement) {
      if (scrolls(at)) {
        return true;
      }
    }
    return false;
  };
  const sticksOut: string[] = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    const shown = box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    // A pixel either side for rounding; only the outermost, as its children stick out with it.
    if (
      shown &&
      (box.right > width + 1 || box.left < -1) &&
      !insideScroller(element) &&
      element.parentElement?.closest('[data-misfit]') === null
    ) {
      element.setAttribute('data-misfit', '');
      sticksOut.push(describe(element));
    }
  }
  const clipped = [...document.querySelectorAll('.stat-value')]
    .filter((value) => {
      const card = value.closest('.stat')?.getBoundingClientRect();
      const box = value.getBoundingClientRect();
      const outOfCard = card !== undefined && (box.right > card.right + 1 || box.left < card.left - 1);
      return value.scrollWidth > value.clientWidth || outOfCard;
    })
    .map(
      (value) => `${describe(value)} needs ${String(value.scrollWidth)} px of ${String(value.clientWidth)}`,
    );
  const hiddenOverflow = [document.documentElement, document.body]
    .filter((element) => ['hidden', 'clip'].includes(getComputedStyle(element).overflowX))
    .map((element) => element.tagName.toLowerCase());
  const widest = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  return {
    scrollsSideways: widest > width ? `${String(widest)} px wide` : false,
    hiddenOverflow,
    sticksOut: sticksOut.slice(0, 8),
    clipped,
  };
}
