import type { ReportDocument } from './report-document.ts';

/**
 * A report as CSV (RFC 4180, CRLF): one row per figure, with stable English column
 * names and item keys for machines, and the label and value in the report's language
 * for people. The `value` column is always plain digits or ISO 8601 (UTC), whatever
 * the language, so a spreadsheet reads it as a number or a date. It starts with a
 * UTF-8 byte order mark, without which spreadsheet programs misread Persian and Cyrillic.
 */

const COLUMNS = ['farm_id', 'section', 'item', 'label', 'value', 'shown', 'unit'] as const;

function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function reportCsv(document: ReportDocument): Buffer {
  const lines: string[][] = [[...COLUMNS], ['', 'report', 'title', document.title, '', '', '']];
  for (const row of document.header) {
    lines.push(['', 'report', row.key, row.label, row.value.raw, row.value.shown, row.unit]);
  }
  for (const section of document.sections) {
    const farmId = section.farmId ?? '';
    for (const row of section.rows) {
      lines.push([
        farmId,
        section.farmId === null ? 'jurisdiction' : 'farm',
        row.key,
        row.label,
        row.value.raw,
        row.value.shown,
        row.unit,
      ]);
    }
    for (const table of section.tables) {
      table.rows.forEach((cells, index) => {
        table.columns.forEach((column, at) => {
          const cell = cells[at];
          if (cell) {
            lines.push([
              farmId,
              table.key,
              `${String(index + 1)}.${column.key}`,
              column.label,
              cell.raw,
              cell.shown,
              '',
            ]);
          }
        });
      });
    }
  }
  lines.push(['', 'report', 'verify', document.footer, '', '', '']);
  const text = lines.map((line) => line.map(field).join(',')).join('\r\n');
  return Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
}
