import type { FastifyInstance } from 'fastify';
import { HwError } from '../../errors.ts';

/** Far deeper than any request the API takes; deeper is an attack on the stack, not a request. */
const MAX_DEPTH = 32;

/**
 * The first problem in a request's text: a string holding NUL, or nesting past
 * MAX_DEPTH. Walked with a stack of its own, so no depth of JSON can overflow ours.
 */
function problemIn(root: unknown, rootPath: string): { field: string; message: string } | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: root, path: rootPath, depth: 0 },
  ];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        return { field: path, message: 'Text may not hold the NUL character (U+0000).' };
      }
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      if (depth >= MAX_DEPTH) {
        return { field: path, message: `Nested deeper than ${String(MAX_DEPTH)} levels.` };
      }
      for (const [key, child] of Object.entries(value)) {
        pending.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * PostgreSQL's text cannot hold U+0000, and no request the API takes nests deeply: a
 * NUL would fail deep in a query, a deep body in the validator's recursion, both as
 * server errors. They are refused up front as what they are, requests that are not
 * valid, naming the field.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const problem =
      problemIn(request.params, 'params') ??
      problemIn(request.query, 'query') ??
      problemIn(request.body, 'body');
    done(
      problem === undefined ? undefined : new HwError('HW_ERR_VALIDATION', problem.message, problem.field),
    );
  });
}
