import type { FastifyInstance } from 'fastify';
import { HwError } from '../../errors.ts';

/** The path of the first string holding a NUL character, as body.name or query.from. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? path : undefined;
  }
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) {
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    const found = nulAt(child, `${path}.${key}`);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/**
 * PostgreSQL's text cannot hold U+0000: a NUL in a parameter, a query or a body would
 * fail deep in a query as a server error. It is refused up front as what it is, a
 * request that is not valid, naming the field.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const field =
      nulAt(request.params, 'params') ?? nulAt(request.query, 'query') ?? nulAt(request.body, 'body');
    done(
      field === undefined
        ? undefined
        : new HwError('HW_ERR_VALIDATION', 'Text may not hold the NUL character (U+0000).', field),
    );
  });
}
