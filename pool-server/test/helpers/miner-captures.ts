import { readFileSync } from 'node:fs';

/** A reply captured from a real miner, as the agent's tests keep them (each names its source). */
export function capturedReply(name: string): string {
  const file = JSON.parse(
    readFileSync(new URL(`../../../agent/test/fixtures/miners/${name}.json`, import.meta.url), 'utf8'),
  ) as { response: unknown };
  return JSON.stringify(file.response);
}
