/**
 * The migration files through PostgreSQL's own parser (libpg-query). The schema files
 * also run in the integration tests; the TimescaleDB files run only where TIMESCALE_URL
 * names a server (migrate.test.ts; none can be installed on CI's machine), so this is
 * where their syntax and the tables they name are always checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'libpg-query';
import { describe, expect, it } from 'vitest';

function filesOf(folder: 'migrations' | 'timescale'): { name: string; sql: string }[] {
  const directory = new URL(`./${folder}/`, import.meta.url);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(new URL(name, directory), 'utf8') }));
}

const schema = filesOf('migrations');
const timescale = filesOf('timescale');

/** Tables and views the schema migrations create, from the parse trees. */
async function createdTables(): Promise<Set<string>> {
  const tables = new Set<string>();
  for (const file of schema) {
    const tree = await parse(file.sql);
    for (const { stmt } of tree.stmts ?? []) {
      const name =
        stmt && 'CreateStmt' in stmt
          ? stmt.CreateStmt.relation?.relname
          : stmt && 'ViewStmt' in stmt
            ? stmt.ViewStmt.view?.relname
            : undefined;
      if (name !== undefined) {
        tables.add(name);
      }
    }
  }
  return tables;
}

describe('migration files', () => {
  it('are numbered 0001, 0002, … without gaps, in each folder', () => {
    for (const files of [schema, timescale]) {
      expect(files.map((file) => file.name.slice(0, 4))).toEqual(
        files.map((_, index) => String(index + 1).padStart(4, '0')),
      );
    }
  });

  it.each([...schema, ...timescale].map((file) => [file.name, file.sql]))('%s parses', async (_, sql) => {
    const tree = await parse(sql);
    expect(tree.stmts?.length ?? 0).toBeGreaterThan(0);
  });

  it('the TimescaleDB files only touch tables and views the schema creates', async () => {
    const tables = await createdTables();
    for (const file of timescale) {
      const named = [
        ...file.sql.matchAll(
          /(?:create_hypertable|add_\w+_policy|ALTER TABLE|DROP MATERIALIZED VIEW|CREATE VIEW)\s*\(?\s*'?(\w+)/g,
        ),
      ].map((match) => match[1]);
      expect(named.length).toBeGreaterThan(0);
      for (const table of named) {
        expect(tables, `${file.name} names ${String(table)}`).toContain(table);
      }
    }
  });

  it('the parser refuses what PostgreSQL would', async () => {
    await expect(parse('CREATE TABLE broken (id bigint PRIMARY KEY,);')).rejects.toThrow(/syntax error/);
  });
});
