import { describe, expect, it } from 'vitest';
import { preloadsTimescale, timescaleRefusal, timescaleStateOf, type TimescaleMode } from './timescale.ts';

const MODES: readonly TimescaleMode[] = ['auto', 'on'];

describe('what the catalogs say of TimescaleDB, and what each mode does with it', () => {
  it.each([
    // server default, this database's, preloaded -> status, used, refused in auto, refused in on
    [null, null, false, 'absent', false, false, true],
    ['2.28.3', null, false, 'not-preloaded', false, false, true],
    ['2.28.3', null, true, 'usable', true, false, false],
    ['2.28.3', '2.28.3', true, 'in-use', true, false, false],
    // The package upgraded, the database's extension not: used, with a warning.
    ['2.28.3', '2.17.2', true, 'outdated', true, false, false],
    // Created here, then the server lost the preload: its hypertables cannot be read in any mode.
    ['2.28.3', '2.28.3', false, 'not-preloaded', true, true, true],
  ] as const)(
    'default %s, installed %s, preloaded %s: %s',
    (defaultVersion, installedVersion, preloaded, status, used, refusedAuto, refusedOn) => {
      const state = timescaleStateOf({ defaultVersion, installedVersion, preloaded });
      expect(state).toMatchObject({ status, used });
      expect(MODES.map((mode) => timescaleRefusal(state, mode) !== undefined)).toEqual([
        refusedAuto,
        refusedOn,
      ]);
    },
  );

  it('says what to do when it is not preloaded, and never suggests creating it', () => {
    const state = timescaleStateOf({ defaultVersion: '2.28.3', installedVersion: null, preloaded: false });
    expect(state.summary).toMatchInlineSnapshot(
      `"TimescaleDB 2.28.3 is installed on the server but not preloaded, so it is not used (creating it would end the connection): add timescaledb to shared_preload_libraries in postgresql.conf and restart PostgreSQL"`,
    );
    expect(timescaleRefusal(state, 'on')).toMatchInlineSnapshot(
      `"database.timescale is on, but TimescaleDB 2.28.3 is not preloaded: add timescaledb to shared_preload_libraries in postgresql.conf and restart PostgreSQL"`,
    );
  });
});

describe('shared_preload_libraries', () => {
  it.each([
    ['timescaledb', true],
    ['pg_stat_statements, timescaledb', true],
    ['"timescaledb",pg_cron', true],
    ['$libdir/timescaledb', true],
    ['timescaledb.so', true],
    ['', false],
    ['pg_stat_statements', false],
    ['timescaledb_toolkit', false],
  ] as const)('%j names the TimescaleDB loader: %s', (setting, named) => {
    expect(preloadsTimescale(setting)).toBe(named);
  });
});
