import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A captured device reply, as ../shared/fixtures/miners keeps them (each names its source). */
export interface Fixture {
  readonly name: string;
  readonly source: string;
  readonly request?: unknown;
  /** The reply's bytes as the device sent them (JSON text, maybe broken). */
  readonly raw: string;
  /** The reply parsed, for fixtures whose reply is valid JSON. */
  readonly response?: unknown;
}

const DIR = fileURLToPath(new URL('./fixtures/miners/', import.meta.url));

export function fixtureNames(): string[] {
  return readdirSync(DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

export function fixture(name: string): Fixture {
  const file = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8')) as {
    source: string;
    request?: unknown;
    response?: unknown;
    response_raw?: string;
  };
  const raw = file.response_raw ?? JSON.stringify(file.response);
  return {
    name,
    source: file.source,
    raw,
    ...(file.request !== undefined && { request: file.request }),
    ...(file.response !== undefined && { response: file.response }),
  };
}

/** Replies by command, each the raw bytes of a captured fixture. */
export function repliesFrom(
  byCommand: Readonly<Record<string, string>>,
): (request: { command: string }) => string | undefined {
  return (request) => {
    const name = byCommand[request.command];
    return name === undefined ? undefined : fixture(name).raw;
  };
}
