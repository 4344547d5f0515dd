import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { btcAmount } from '../production.ts';
import { powerReportJsonSchema } from './json.ts';

describe('JSON regulator report', () => {
  it('publishes its JSON Schema in schemas/ as the code has it (pnpm write-docs writes it)', () => {
    const written = readFileSync(
      new URL('../../../../schemas/power-report-1.schema.json', import.meta.url),
      'utf8',
    );
    expect(written).toBe(powerReportJsonSchema());
    expect(JSON.parse(written)).toMatchObject({ $id: 'hashwatt.power-report/1', type: 'object' });
  });

  it('writes amounts of coin as exact decimal strings of 8 places', () => {
    expect(btcAmount(0)).toBe('0.00000000');
    expect(btcAmount(1)).toBe('0.00000001');
    expect(btcAmount(312_500_000)).toBe('3.12500000');
    // 21 million BTC in satoshis is beyond float's exact cents but within its exact integers.
    expect(btcAmount(2_099_999_997_690_000)).toBe('20999999.97690000');
  });
});
