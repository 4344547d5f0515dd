import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { setupComponentTests } from '../../testing/component-tests.ts';
import { DateInput, DateTimeInput } from './date-input.tsx';

/** A picker whose every change is recorded, as a form holding its value would see it. */
function Picked({ initial, changes }: { initial: string; changes: string[] }) {
  const [value, setValue] = useState(initial);
  return (
    <DateInput
      value={value}
      onChange={(day) => {
        changes.push(day);
        setValue(day);
      }}
    />
  );
}

const select = (name: string): HTMLSelectElement => screen.getByRole('combobox', { name });

describe('a day picked in Persian', () => {
  setupComponentTests('fa');

  it('shows an ISO day as its Solar Hijri day, in Persian digits and month names', () => {
    render(<Picked initial="2025-03-20" changes={[]} />);
    expect(select('روز').value).toBe('30');
    expect(select('ماه').value).toBe('12');
    expect(select('سال').value).toBe('1403');
    expect(select('ماه').selectedOptions[0]?.textContent).toBe('اسفند');
    expect(select('سال').selectedOptions[0]?.textContent).toBe('۱۴۰۳');
    expect(select('روز').selectedOptions[0]?.textContent).toBe('۳۰');
    // 1403 is a leap year: Esfand has its 30th.
    expect(select('روز').options).toHaveLength(31);
  });

  it('gives the ISO day of what is picked, and keeps a day the month has', () => {
    const changes: string[] = [];
    render(<Picked initial="2025-03-20" changes={changes} />);
    // 30 Esfand 1404 does not exist (a common year): the 29th, 20 March 2026.
    fireEvent.change(select('سال'), { target: { value: '1404' } });
    expect(select('روز').value).toBe('29');
    expect(select('روز').options).toHaveLength(30);
    fireEvent.change(select('ماه'), { target: { value: '1' } });
    fireEvent.change(select('روز'), { target: { value: '1' } });
    // 29 Farvardin 1404, then its 1st: Nowruz 2025.
    expect(changes).toEqual(['2026-03-20', '2025-04-18', '2025-03-21']);
  });

  it('gives no day while one is half picked', () => {
    const changes: string[] = [];
    render(<Picked initial="" changes={changes} />);
    fireEvent.change(select('ماه'), { target: { value: '7' } });
    fireEvent.change(select('روز'), { target: { value: '9' } });
    expect(changes).toEqual(['', '']);
    fireEvent.change(select('سال'), { target: { value: '1405' } });
    expect(changes.at(-1)).toBe('2026-10-01');
  });
});

describe('a moment picked in Persian', () => {
  setupComponentTests('fa');

  it('takes a Solar Hijri day and a time, and gives them as the browser would', () => {
    const changes: string[] = [];
    function Moment() {
      const [value, setValue] = useState('');
      return (
        <DateTimeInput
          value={value}
          onChange={(local) => {
            changes.push(local);
            setValue(local);
          }}
        />
      );
    }
    const { container } = render(<Moment />);
    fireEvent.change(select('سال'), { target: { value: '1403' } });
    fireEvent.change(select('ماه'), { target: { value: '1' } });
    fireEvent.change(select('روز'), { target: { value: '1' } });
    const time = container.querySelector('input[type="time"]');
    if (!(time instanceof HTMLInputElement)) {
      throw new Error('no time input');
    }
    fireEvent.change(time, { target: { value: '19:30' } });
    expect(changes).toEqual(['', '', '2024-03-20T00:00', '2024-03-20T19:30']);
  });
});

describe('a day picked in English', () => {
  setupComponentTests();

  it("is the browser's date input, ISO in and out", () => {
    const changes: string[] = [];
    const { container } = render(<Picked initial="2024-03-20" changes={changes} />);
    const input = container.querySelector('input[type="date"]');
    if (!(input instanceof HTMLInputElement)) {
      throw new Error('no date input');
    }
    expect(input.value).toBe('2024-03-20');
    fireEvent.change(input, { target: { value: '2024-03-21' } });
    expect(changes).toEqual(['2024-03-21']);
  });
});
