import { describe, expect, it } from 'vitest';
import { formatsFor } from './format.ts';

describe('formats in each language', () => {
  const day = Date.UTC(2026, 9, 1, 12);

  it('writes Persian with Persian digits and Solar Hijri dates', () => {
    const fa = formatsFor('fa');
    // 1 October 2026 is 9 Mehr 1405.
    expect(fa.date(day)).toMatch(/۹/);
    expect(fa.date(day)).toMatch(/مهر/);
    expect(fa.date(day)).toMatch(/۱۴۰۵/);
    expect(fa.number(1_234_567.5, 1)).toBe('۱٬۲۳۴٬۵۶۷٫۵');
    expect(fa.hashrate(234e12)).toBe('۲۳۴ TH/s');
  });

  it('writes Russian with its separators and month names', () => {
    const ru = formatsFor('ru');
    expect(ru.date(day)).toMatch(/1 окт\.? 2026/);
    expect(ru.number(1_234_567.5, 1)).toBe('1\u00a0234\u00a0567,5');
    expect(ru.money(81.5, 'RUB')).toMatch(/82\s₽/);
  });

  it('writes amounts in their currency, BTC with its eight places', () => {
    const en = formatsFor('en');
    expect(en.money(1234.5, 'USD')).toBe('US$1,234.50');
    expect(en.money(58_250_000, 'IRR')).toBe('IRR\u00a058,250,000');
    expect(en.btc(12_345_678)).toBe('0.12345678 BTC');
    expect(en.hashrate(1.5e18)).toBe('1.50 EH/s');
    expect(en.hashrate(0)).toBe('0.00 H/s');
  });

  it('writes difficulties readably: never 0 for a small one, never every digit of a large one', () => {
    const en = formatsFor('en');
    expect([0.01, 1e-6, 0.0001234, 1e-9, 1.5, 65_536, 141_668_107_417_558].map(en.difficulty)).toEqual([
      '0.01',
      '0.000001',
      '0.000123',
      '1E-9',
      '1.50',
      '65,536',
      '141.7tn',
    ]);
    expect(formatsFor('fa').difficulty(0.01)).toBe('۰٫۰۱');
    expect(formatsFor('fa').difficulty(141_668_107_417_558)).toBe('۱۴۱٫۷\u00a0تریلیون');
    expect(formatsFor('ru').difficulty(1e-6)).toBe('0,000001');
  });

  it('separates the parts of a label with nothing a Persian reader takes for a digit', () => {
    // The middle dot is the shape of the Persian zero: "۱۰ · دقیقه" reads as 100 minutes.
    const fa = formatsFor('fa');
    const label = fa.join(['هش‌ریت', `${fa.number(10)} دقیقه`]);
    expect(label).toBe('هش‌ریت،\u200f ۱۰ دقیقه');
    // Nothing in it has the shape of a zero: the Persian (۰) or Arabic-Indic (٠) one, a dot.
    expect(fa.separator).not.toMatch(/[·.۰٠]/);
    expect(formatsFor('en').join(['Hashrate', '10 minutes'])).toBe('Hashrate · 10 minutes');
    expect(formatsFor('ru').join(['PPLNS', '1 %'])).toBe('PPLNS · 1 %');
  });

  it('shortens amounts of a million or more for a card, and keeps smaller ones exact', () => {
    expect(formatsFor('en').compactMoney(5_123_456_789, 'IRR')).toBe('IRR\u00a05.123bn');
    expect(formatsFor('fa').compactMoney(5_123_456_789, 'IRR')).toMatch(/^\u200eریال\s۵٫۱۲۳\sمیلیارد$/);
    expect(formatsFor('ru').compactMoney(-12_345_678, 'RUB')).toMatch(/^-12,35\sмлн\s₽$/);
    expect(formatsFor('en').compactMoney(999_999, 'USD')).toBe('US$999,999.00');
    expect(formatsFor('en').compactMoney(12_345_678, 'BTC')).toBe('12,345,678.00000000 BTC');
  });

  it('lists items as each language joins them', () => {
    const items = ['10.0.1.1:4028', '10.0.1.2:4028', 'more'];
    expect(formatsFor('en').list(items)).toBe('10.0.1.1:4028, 10.0.1.2:4028 and more');
    expect(formatsFor('ru').list(items)).toBe('10.0.1.1:4028, 10.0.1.2:4028 и more');
    expect(formatsFor('fa').list(items)).toBe('10.0.1.1:4028،\u200f 10.0.1.2:4028، و more');
    expect(formatsFor('en').list(['one'])).toBe('one');
  });
});
