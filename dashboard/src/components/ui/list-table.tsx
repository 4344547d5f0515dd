import type { ReactNode } from 'react';

/**
 * A short table of items (blocks, orders, payments, farms): its header, one row per
 * item, or a line saying there is none. Long lists use DataTable, which virtualizes.
 */
export function ListTable<Item>({
  items,
  headers,
  empty,
  row,
  footer,
}: {
  items: readonly Item[];
  headers?: readonly string[];
  empty: string;
  /** One <tr>, with its key. */
  row: (item: Item, index: number) => ReactNode;
  footer?: ReactNode;
}) {
  if (items.length === 0) {
    return <p className="muted">{empty}</p>;
  }
  return (
    <table>
      {headers === undefined ? null : (
        <thead>
          <tr>
            {headers.map((header, index) => (
              // Headers may repeat or be empty (an actions column): their place is their key.
              <th key={index}>{header}</th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>{items.map(row)}</tbody>
      {footer === undefined ? null : <tfoot>{footer}</tfoot>}
    </table>
  );
}
