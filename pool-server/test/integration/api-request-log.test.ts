/**
 * Request logs are debug lines, so the pool's own info lines (`pnpm start`'s banner)
 * are not buried under them; an error answer keeps its line at fastify's level.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.ts';

interface LogLine {
  readonly level: number;
  readonly msg?: string;
  readonly res?: { readonly statusCode?: number };
}

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const linesSince = (start: number): LogLine[] =>
  api.logs.slice(start).map((line) => JSON.parse(line) as LogLine);

describe('request logs', () => {
  it('logs nothing at info for a request answered without error', async () => {
    const start = api.logs.length;
    const response = await api.app.inject({ method: 'GET', url: '/api/pool' });
    expect(response.statusCode).toBe(200);
    expect(linesSince(start).filter((line) => line.level >= 30)).toEqual([]);
  });

  it('keeps an error answer at info', async () => {
    const start = api.logs.length;
    const response = await api.app.inject({ method: 'GET', url: '/api/no-such-route' });
    expect(response.statusCode).toBe(404);
    const completed = linesSince(start).filter((line) => line.msg === 'request completed');
    expect(completed).toEqual([expect.objectContaining({ level: 30, res: { statusCode: 404 } })]);
  });
});
