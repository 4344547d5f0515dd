import { csvField, inertText } from '../../csv-cells.ts';
import type { ReportCell, ReportDocument } from './document.ts';

/**
 * A report as CSV (RFC 4180, CRLF): one row per figure, with stable English column
 * names and item keys for machines, and the label and value in the report's language
 * for people. The `value` column is always plain digits or ISO 8601 (UTC), whatever
 * the language, so a spreadsheet reads it as a number or a date. It starts with a
 * UTF-8 byte order mark, without which spreadsheet programs misread Persian and Cyrillic.
 * Text that a spreadsheet would run as a formula is neutralised (a farm named
 * `=HYPERLINK(…)` stays words); the report's own figures stay numbers.
 */

const COLUMNS = ['farm_id', 'section', 'item', 'label', 'value', 'shown', 'unit'] as const;

/** A cell's raw and shown values: figures as they are, text made inert. */
function values(cell: ReportCell): [string, string] {
  return cell.numeric ? [cell.raw, cell.shown] : [inertText(cell.raw), inertText(cell.shown)];
}

/** One CSV line: the row's own keys and labels are text, its value as `values` says. */
function line(
  farmId: string,
  section: string,
  item: string,
  label: string,
  cell: ReportCell,
  unit: string,
): string[] {
  return [farmId, section, item, inertText(label), ...values(cell), inertText(unit)];
}

const TEXT = (value: string): ReportCell => ({ raw: value, shown: value });

export function reportCsv(document: ReportDocument): Buffer {
  const lines: string[][] = [[...COLUMNS], line('', 'report', 'title', document.title, TEXT(''), '')];
  for (const row of document.header) {
    lines.push(line('', 'report', row.key, row.label, row.value, row.unit));
  }
  for (const section of document.sections) {
    const farmId = section.farmId ?? '';
    for (const row of section.rows) {
      lines.push(
        line(
          farmId,
          section.farmId === null ? 'jurisdiction' : 'farm',
          row.key,
          row.label,
          row.value,
          row.unit,
        ),
      );
    }
    for (const table of section.tables) {
      table.rows.forEach((cells, index) => {
        table.columns.forEach((column, at) => {
          const cell = cells[at];
          if (cell) {
            lines.push(line(farmId, table.key, `${String(index + 1)}.${column.key}`, column.label, cell, ''));
          }
        });
      });
    }
  }
  lines.push(line('', 'report', 'verify', document.footer, TEXT(''), ''));
  for (const row of document.signingKey) {
    lines.push(line('', 'report', row.key, row.label, row.value, row.unit));
  }
  const text = lines.map((cells) => cells.map(csvField).join(',')).join('\r\n');
  return Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
}
