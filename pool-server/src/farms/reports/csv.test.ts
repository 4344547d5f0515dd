import { describe, expect, it } from 'vitest';
import { reportCsv } from './csv.ts';
import type { ReportDocument } from './document.ts';

const text = (value: string) => ({ raw: value, shown: value });

/** A report whose farm and operator chose names a spreadsheet would run. */
const DOCUMENT: ReportDocument = {
  language: 'en',
  direction: 'ltr',
  title: 'Power use and production report',
  header: [{ key: 'farm', label: 'Farm', value: text('=HYPERLINK("http://x","y")'), unit: '' }],
  sections: [
    {
      farmId: '7',
      heading: '=1+1',
      rows: [
        { key: 'operator', label: 'Operator', value: text('@SUM(A1:A9)'), unit: '' },
        { key: 'region', label: 'Region', value: text('+7'), unit: '' },
        { key: 'note', label: 'Note', value: text('-2+3'), unit: '' },
        { key: 'tab', label: 'Tab', value: text('\t=1'), unit: '' },
        { key: 'cr', label: 'CR', value: text('\r=1'), unit: '' },
        { key: 'plain', label: 'Plain', value: text('Hall 2'), unit: '' },
        {
          key: 'balance',
          label: 'Balance',
          value: { raw: '-0.50000000', shown: '-0.50000000', numeric: true },
          unit: 'BTC',
        },
      ],
      tables: [],
    },
  ],
  footer: 'Verify it.',
  signingKey: [],
  none: 'none',
};

function cells(csv: Buffer): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  // Test data: no quoted commas or line breaks but the ones matched below.
  const lines = csv.toString('utf8').slice(1).split('\r\n');
  for (const line of lines) {
    const fields = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((field) => field.replace(/,$/, '')) ?? [];
    rows.set(fields[2] ?? '', fields);
  }
  return rows;
}

describe('reportCsv', () => {
  it('neutralises text a spreadsheet would run as a formula, with a leading apostrophe', () => {
    const rows = cells(reportCsv(DOCUMENT));
    expect(rows.get('farm')?.[4]).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(rows.get('farm')?.[5]).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(rows.get('operator')?.slice(4, 6)).toEqual(["'@SUM(A1:A9)", "'@SUM(A1:A9)"]);
    expect(rows.get('region')?.[4]).toBe("'+7");
    expect(rows.get('note')?.[4]).toBe("'-2+3");
    expect(rows.get('tab')?.[4]).toBe("'\t=1");
    expect(rows.get('cr')?.[4]).toBe(`"'\r=1"`);
    expect(rows.get('plain')?.[4]).toBe('Hall 2');
  });

  it("keeps the report's own figures numbers, negative ones too", () => {
    const rows = cells(reportCsv(DOCUMENT));
    expect(rows.get('balance')?.slice(4, 7)).toEqual(['-0.50000000', '-0.50000000', 'BTC']);
  });
});
