import { vi } from 'vitest';

/** A request the page made: its method, its path under /api, and its JSON body. */
export interface SentRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/** An answer: a status (200 when absent) and a JSON body. */
export interface StubAnswer {
  readonly status?: number;
  readonly body?: unknown;
}

/** `METHOD /path-pattern` → what the API answers, or how to answer from the request. */
export type StubRoutes = Readonly<Record<string, StubAnswer | ((sent: SentRequest) => StubAnswer)>>;

/**
 * Stands in for the pool's API: each request is matched against `routes` ("GET ^/farms/7$")
 * and recorded. A GET that no route names never answers, so a page's other panels stay
 * loading instead of filling the toaster with failures the test is not about.
 */
export function stubApi(routes: StubRoutes): SentRequest[] {
  const sent: SentRequest[] = [];
  const table = Object.entries(routes).map(([key, answer]) => {
    const [method = 'GET', pattern = ''] = key.split(' ');
    return { method, pattern: new RegExp(pattern), answer };
  });
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const path = url.replace(/^.*?\/api/, '');
      const request: SentRequest = {
        method,
        path,
        body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      sent.push(request);
      const route = table.find((entry) => entry.method === method && entry.pattern.test(path));
      if (!route) {
        return method === 'GET'
          ? new Promise<Response>(() => undefined)
          : Promise.resolve(
              new Response('{"error":"HW_ERR_NOT_FOUND","message":"No such route."}', { status: 404 }),
            );
      }
      const answer = typeof route.answer === 'function' ? route.answer(request) : route.answer;
      const status = answer.status ?? 200;
      return Promise.resolve(
        status === 204
          ? new Response(null, { status })
          : new Response(JSON.stringify(answer.body ?? null), {
              status,
              headers: { 'content-type': 'application/json' },
            }),
      );
    }),
  );
  return sent;
}

/** The requests of one method to paths matching `pattern`. */
export const sentTo = (sent: readonly SentRequest[], method: string, pattern: RegExp): SentRequest[] =>
  sent.filter((request) => request.method === method && pattern.test(request.path));
