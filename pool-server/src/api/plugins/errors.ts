import type { FastifyError, FastifyInstance } from 'fastify';
import { API_ERRORS, HwError, type ApiErrorCode } from '../../errors.ts';

/** A validation failure's field as a path: body.email, query.limit, params.id. */
function fieldOf(error: FastifyError): string | undefined {
  const [first] = error.validation ?? [];
  if (!first) {
    return undefined;
  }
  const part = error.validationContext === 'querystring' ? 'query' : (error.validationContext ?? 'body');
  const params = first.params as { missingProperty?: string; additionalProperty?: string };
  const path = first.instancePath
    .split('/')
    .filter((segment) => segment !== '')
    .concat(params.missingProperty ?? params.additionalProperty ?? []);
  return [part, ...path].join('.');
}

/** Errors a database outage shows as: refused connections, a server shutting down, timeouts. */
function isDatabaseAway(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === '57P01' ||
    code === '57P03' ||
    (error instanceof Error &&
      /timeout exceeded when trying to connect|Connection terminated/.test(error.message))
  );
}

function codeFor(error: FastifyError): ApiErrorCode {
  if (error.validation) {
    return 'HW_ERR_VALIDATION';
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'HW_ERR_UNSUPPORTED_MEDIA_TYPE';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'HW_ERR_BODY_TOO_LARGE';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'HW_ERR_BAD_JSON';
    default:
      break;
  }
  if (error.statusCode === 429) {
    return 'HW_ERR_RATE_LIMITED';
  }
  if (error.statusCode === 400 && error instanceof SyntaxError) {
    return 'HW_ERR_BAD_JSON';
  }
  return isDatabaseAway(error) ? 'HW_ERR_UNAVAILABLE' : 'HW_ERR_INTERNAL';
}

/**
 * Every error leaves as {error, message, field?}. Expected ones keep their message; a
 * 5xx says only what to do, and the details go to the log with the request id.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error instanceof HwError) {
      if (error.retryAfterSeconds !== undefined) {
        void reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
      }
      return reply.code(error.statusCode).send({
        error: error.code,
        message: error.message,
        ...(error.field !== undefined && { field: error.field }),
      });
    }
    const code = codeFor(error);
    const { status, message } = API_ERRORS[code];
    if (status >= 500) {
      request.log.error({ err: error }, 'api: request failed');
    }
    const field = fieldOf(error);
    const rule = error.validation?.[0]?.message;
    return reply.code(status).send({
      error: code,
      message: field !== undefined && rule !== undefined ? `${field} ${rule}` : message,
      ...(field !== undefined && { field }),
    });
  });
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({
      error: 'HW_ERR_NOT_FOUND',
      message: `${API_ERRORS.HW_ERR_NOT_FOUND.message} (${request.method} ${request.url.split('?')[0] ?? ''})`,
    }),
  );
}
