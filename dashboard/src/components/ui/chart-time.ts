import { LOCALES } from '../../lib/format.ts';
import { DAY_MS } from './time-ticks.ts';

/**
 * A time chart's words for time, in the reader's language and calendar: Solar Hijri
 * months and Persian digits in Persian, through Intl alone.
 */
export interface ChartTime {
  /** An axis label: the time of day between days, the day at midnight and for steps of days. */
  readonly tick: (ms: number, stepMs: number) => string;
  /** The moment the legend shows: date and time. */
  readonly moment: (ms: number) => string;
  /** Labels as wide as the axis's get, for measuring: it makes room for the widest. */
  readonly samples: readonly string[];
}

const cache = new Map<string, ChartTime>();

export function chartTimeFor(language: string): ChartTime {
  const cached = cache.get(language);
  if (cached) {
    return cached;
  }
  const locale = LOCALES[language] ?? 'en-GB';
  const clock = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
  const moment = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const isMidnight = (ms: number): boolean => {
    const at = new Date(ms);
    return at.getHours() === 0 && at.getMinutes() === 0;
  };
  const tick = (ms: number, stepMs: number): string =>
    stepMs >= DAY_MS || isMidnight(ms) ? day.format(ms) : clock.format(ms);
  // A day with a long month name and two-digit numbers, in each calendar: the widest a label gets.
  const wide = [Date.UTC(2026, 8, 28, 12), Date.UTC(2026, 11, 20, 12), Date.UTC(2026, 1, 18, 12)];
  const lateEvening = Date.UTC(2026, 11, 20, 22, 58);
  const formats: ChartTime = {
    tick,
    moment: (ms) => moment.format(ms),
    samples: [...wide.map((ms) => day.format(ms)), clock.format(lateEvening)],
  };
  cache.set(language, formats);
  return formats;
}
