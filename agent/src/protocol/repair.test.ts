import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames } from '../../test/fixtures.ts';
import { DeviceJsonError, parseDeviceJson } from './repair.ts';

describe('parseDeviceJson on the broken replies real firmware sent', () => {
  const broken = fixtureNames().filter(
    (name) => name.includes('invalid_json') || name.includes('trailing_garbage'),
  );

  it('has the captured broken replies to check', () => {
    expect(broken.length).toBeGreaterThanOrEqual(8);
  });

  it.each(broken)('%s parses, with its repair named', (name) => {
    const { raw } = fixture(name);
    expect(() => JSON.parse(raw) as unknown).toThrow();
    const parsed = parseDeviceJson(raw);
    expect(parsed.value).toBeTypeOf('object');
    expect(parsed.repairs.length).toBeGreaterThan(0);
  });

  it('keeps both STATS blocks of the Antminer L3+ `}{` reply', () => {
    const { value, repairs } = parseDeviceJson(
      fixture('antminer__stock_cgminer4.9.0_l3plus__rpc4028_stats__invalid_json_missing_comma').raw,
    );
    const stats = (value as { STATS: { chain_rate1?: string; Type?: string }[] }).STATS;
    expect(stats).toHaveLength(2);
    expect(stats[0]?.Type).toContain('L3+');
    expect(stats[1]?.chain_rate1).toBe('126.12');
    expect(repairs).toEqual(['a missing comma between objects']);
  });

  it("reads Avalon's bare nan as missing, not as zero", () => {
    const { value } = parseDeviceJson(
      fixture('avalon__cgminer4.10.0__rpc4028_summary__invalid_json_nan').raw,
    );
    const summary = (value as { summary: { SUMMARY: Record<string, unknown>[] }[] }).summary[0]?.SUMMARY[0];
    expect(summary?.['MHS av']).toBeNull();
    expect(summary?.Elapsed).toBe(155);
  });

  it("keeps Whatsminer's firmware version without the bad escapes", () => {
    const { value } = parseDeviceJson(
      fixture('whatsminer__cgminer4.9.2__rpc4028_summary__invalid_json_escape').raw,
    );
    const summary = (value as { SUMMARY: Record<string, unknown>[] }).SUMMARY[0];
    expect(summary?.['Firmware Version']).toBe("'20200917.22.REL'");
  });

  it('drops a raw newline inside a string (StrongU pools)', () => {
    const { value } = parseDeviceJson(
      fixture('strongu__stock__rpc4028_pools__invalid_json_control_char').raw,
    );
    const pools = (value as { POOLS: Record<string, unknown>[] }).POOLS;
    for (const pool of pools) {
      expect(String(pool['Last Share Time'])).not.toMatch(/\n/);
    }
  });

  it('reads an empty value in get_miner_conf.cgi as null', () => {
    const { value } = parseDeviceJson(
      fixture('antminer__stock_web__get_miner_conf_cgi__invalid_json_empty_value').raw,
    );
    expect((value as Record<string, unknown>)['bitmain-fan-ctrl']).toBeNull();
  });
});

describe('parseDeviceJson on other damage', () => {
  it('strips the NUL cgminer sends after its reply', () => {
    expect(parseDeviceJson('{"id":1}\0')).toEqual({ value: { id: 1 }, repairs: [] });
  });

  it('keeps the complete values of a reply cut off mid-way', () => {
    const { value, repairs } = parseDeviceJson('{"STATUS":"S","Msg":{"error_code":["a","b","c');
    expect(value).toEqual({ STATUS: 'S', Msg: { error_code: ['a', 'b'] } });
    expect(repairs).toContain('a reply cut off before its end');
  });

  it('leaves brackets and commas inside strings alone', () => {
    const text = '{"note":"}{ [,{ ,} nan","n":1}';
    expect(parseDeviceJson(text)).toEqual({ value: JSON.parse(text) as unknown, repairs: [] });
    expect(parseDeviceJson(`${text}xx`).value).toEqual(JSON.parse(text));
  });

  it('completes an object that starts with a comma, as Avalon sends', () => {
    expect(parseDeviceJson(',"id":1}').value).toEqual({ id: 1 });
  });

  it('refuses what cannot be JSON, with an excerpt of it', () => {
    expect(() => parseDeviceJson('Socket connect failed: Connection refused\n')).toThrow(DeviceJsonError);
    expect(() => parseDeviceJson('\0')).toThrow(/empty reply/);
  });
});
