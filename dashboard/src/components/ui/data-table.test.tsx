import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DataTable, type Column } from './data-table.tsx';

interface Device {
  readonly id: string;
  readonly name: string;
  readonly temp: number | null;
}

const DEVICES: readonly Device[] = Array.from({ length: 5_000 }, (_, index) => ({
  id: String(index),
  name: `miner-${String(index).padStart(4, '0')}`,
  temp: index % 7 === 0 ? null : 40 + (index % 50),
}));

const COLUMNS: readonly Column<Device>[] = [
  { key: 'name', label: 'Name', value: (device) => device.name },
  { key: 'temp', label: 'Temp', value: (device) => device.temp },
];

function table() {
  return render(
    <DataTable
      rows={DEVICES}
      columns={COLUMNS}
      rowKey={(device) => device.id}
      filterLabel="Filter"
      countLabel={(shown, total) => `${String(shown)} of ${String(total)}`}
    />,
  );
}

const bodyRows = (): HTMLElement[] =>
  screen.getAllByRole('row').filter((row) => !row.classList.contains('table-head'));

describe('a table of 5,000 devices', () => {
  beforeAll(() => {
    // jsdom lays nothing out: the scroller reports the size a browser would give it.
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 480 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
  });
  afterEach(cleanup);

  it('renders only the rows in view, not all 5,000', () => {
    table();
    expect(screen.getByText('5000 of 5000')).toBeDefined();
    const rows = bodyRows();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(60);
  });

  it('filters by any column as one types', () => {
    table();
    fireEvent.change(screen.getByLabelText('Filter'), { target: { value: 'miner-012' } });
    expect(screen.getByText('10 of 5000')).toBeDefined();
    expect(within(bodyRows()[0] ?? document.body).getByText('miner-0120')).toBeDefined();
  });

  it('sorts by a column, then the other way', () => {
    table();
    const temp = screen.getByRole('columnheader', { name: 'Temp' });
    fireEvent.click(temp);
    expect(temp.getAttribute('aria-sort')).toBe('ascending');
    expect(within(bodyRows()[0] ?? document.body).getByText('40')).toBeDefined();
    fireEvent.click(temp);
    expect(temp.getAttribute('aria-sort')).toBe('descending');
    expect(within(bodyRows()[0] ?? document.body).getByText('89')).toBeDefined();
  });
});

describe('the same table on a phone', () => {
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });

  it('draws each row as a card, every cell under its column name, still virtualized', () => {
    // jsdom has no media queries: the screen answers as a 390 px phone's would.
    vi.stubGlobal('matchMedia', (query: string) => ({
      matches: query === '(max-width: 40rem)',
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }));
    const { container } = table();
    expect(container.querySelector('.data-table')?.classList.contains('stacked')).toBe(true);
    const [first] = bodyRows();
    if (!first) {
      throw new Error('no row drawn');
    }
    expect([...first.querySelectorAll('.cell-label')].map((label) => label.textContent)).toEqual([
      'Name',
      'Temp',
    ]);
    // Two cells make one line of a card: 40 px, and 8 px of padding above and below.
    expect(first.style.height).toBe('56px');
    expect(bodyRows().length).toBeLessThan(60);
  });

  it('keeps plain rows, with no labels in them, on a wide screen', () => {
    const { container } = table();
    expect(container.querySelector('.data-table')?.classList.contains('stacked')).toBe(false);
    expect(container.querySelector('.cell-label')).toBeNull();
  });
});
