import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';

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
/** A phone's width, where rows become cards (as in styles.css). */
const NARROW = '(max-width: 40rem)';
/** A line of a card: a cell's label above its value, one line each (styles.css keeps them so). */
const CARD_LINE_HEIGHT = 40;
const CARD_PADDING = 16;

function subscribeToNarrow(onChange: () => void): () => void {
  if (typeof window.matchMedia !== 'function') {
    return () => undefined;
  }
  const query = window.matchMedia(NARROW);
  query.addEventListener('change', onChange);
  return () => {
    query.removeEventListener('change', onChange);
  };
}

/** Whether the screen is a phone's; false where there is no screen to ask (jsdom, a server). */
function useNarrowScreen(): boolean {
  return useSyncExternalStore(
    subscribeToNarrow,
    () => typeof window.matchMedia === 'function' && window.matchMedia(NARROW).matches,
    () => false,
  );
}

/**
 * A sortable, filterable table that renders only the rows in view, so 5,000 devices
 * scroll as smoothly as 50. Rows are a CSS grid with table roles for screen readers.
 * On a phone each row is a card: its cells two to a line, each under its column's name.
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
  const stacked = useNarrowScreen();
  // Rows keep a fixed height, which is what lets the virtualizer place them without measuring.
  const rowHeight = stacked ? CARD_LINE_HEIGHT * Math.ceil(columns.length / 2) + CARD_PADDING : ROW_HEIGHT;
  // TanStack Virtual hands back fresh functions each render; the React compiler leaves this component as written.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // The first render fills the window before the scroller is measured.
    initialRect: { width: 0, height },
  });
  const template = columns.map((column) => column.width ?? '1fr').join(' ');
  return (
    <div className={stacked ? 'data-table stacked' : 'data-table'}>
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
          style={{ height: Math.min(height, shown.length * rowHeight + 2) }}
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
                    gridTemplateColumns: stacked ? undefined : template,
                    transform: `translateY(${String(item.start)}px)`,
                    height: rowHeight,
                  }}
                >
                  {columns.map((column) => (
                    <div key={column.key} role="cell">
                      {stacked ? (
                        <span className="cell-label" aria-hidden="true">
                          {column.label}
                        </span>
                      ) : null}
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
