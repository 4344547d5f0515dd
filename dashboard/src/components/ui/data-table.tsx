import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, type ReactNode } from 'react';

export interface Column<Row> {
  readonly key: string;
  readonly label: string;
  /** What the column sorts and filters by. */
  readonly value: (row: Row) => string | number | null;
  readonly render?: (row: Row) => ReactNode;
  /** CSS grid track, e.g. `8rem` or `1fr`. */
  readonly width?: string;
}

const ROW_HEIGHT = 34;

/**
 * A sortable, filterable table that renders only the rows in view, so 5,000 devices
 * scroll as smoothly as 50. Rows are a CSS grid with table roles for screen readers.
 */
export function DataTable<Row>({
  rows,
  columns,
  rowKey,
  filterLabel,
  countLabel,
  height = 480,
}: {
  rows: readonly Row[];
  columns: readonly Column<Row>[];
  rowKey: (row: Row) => string;
  filterLabel: string;
  countLabel: (shown: number, total: number) => string;
  height?: number;
}) {
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: string; descending: boolean } | undefined>(undefined);
  const shown = useMemo(() => {
    const wanted = filter.trim().toLocaleLowerCase();
    const kept =
      wanted === ''
        ? [...rows]
        : rows.filter((row) =>
            columns.some((column) =>
              String(column.value(row) ?? '')
                .toLocaleLowerCase()
                .includes(wanted),
            ),
          );
    const column = columns.find((candidate) => candidate.key === sort?.key);
    if (column && sort) {
      const direction = sort.descending ? -1 : 1;
      kept.sort((a, b) => {
        const left = column.value(a);
        const right = column.value(b);
        if (left === right) {
          return 0;
        }
        if (left === null) {
          return 1;
        }
        if (right === null) {
          return -1;
        }
        return (left < right ? -1 : 1) * direction;
      });
    }
    return kept;
  }, [rows, columns, filter, sort]);
  const scroller = useRef<HTMLDivElement>(null);
  // TanStack Virtual hands back fresh functions each render; the React compiler leaves this component as written.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // The first render fills the window before the scroller is measured.
    initialRect: { width: 0, height },
  });
  const template = columns.map((column) => column.width ?? '1fr').join(' ');
  return (
    <div className="data-table">
      <div className="table-tools">
        <input
          type="search"
          aria-label={filterLabel}
          placeholder={filterLabel}
          value={filter}
          onChange={(event) => {
            setFilter(event.target.value);
          }}
        />
        <span className="muted">{countLabel(shown.length, rows.length)}</span>
      </div>
      <div role="table" aria-rowcount={shown.length + 1}>
        <div role="row" className="table-row table-head" style={{ gridTemplateColumns: template }}>
          {columns.map((column) => (
            <button
              key={column.key}
              type="button"
              role="columnheader"
              aria-sort={sort?.key === column.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              onClick={() => {
                setSort((current) =>
                  current?.key === column.key
                    ? { key: column.key, descending: !current.descending }
                    : { key: column.key, descending: false },
                );
              }}
            >
              {column.label}
            </button>
          ))}
        </div>
        <div
          ref={scroller}
          className="table-body"
          style={{ height: Math.min(height, shown.length * ROW_HEIGHT + 2) }}
        >
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const row = shown[item.index];
              if (row === undefined) {
                return null;
              }
              return (
                <div
                  key={rowKey(row)}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className="table-row"
                  style={{
                    gridTemplateColumns: template,
                    transform: `translateY(${String(item.start)}px)`,
                    height: ROW_HEIGHT,
                  }}
                >
                  {columns.map((column) => (
                    <div key={column.key} role="cell">
                      {column.render ? column.render(row) : String(column.value(row) ?? '')}
                    </div>
                  ))}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
