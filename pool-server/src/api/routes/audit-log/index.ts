import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AuditExportQuery, AuditPage, AuditQuery } from '@hashwatt/schemas';
import { exportAuditLog, readAuditLog, type AuditViewer } from '../../../accounts/audit-log.ts';
import { HwError } from '../../../errors.ts';
import type { ApiDeps } from '../../deps.ts';
import type { Caller } from '../../access.ts';
import { SIGNED_IN_ERRORS } from '../error-responses.ts';

/** An admin reads every entry, an operator its organisation's, a regulator its jurisdiction's and its own. */
function viewerOf(caller: Caller): AuditViewer {
  if (caller.kind !== 'user') {
    throw new HwError('HW_ERR_UNAUTHENTICATED');
  }
  const { user } = caller.session;
  if (user.role === 'admin') {
    return { kind: 'all' };
  }
  if (user.role === 'operator' && user.organisationId !== null) {
    return { kind: 'organisation', organisationId: user.organisationId };
  }
  if (user.role === 'regulator' && user.jurisdiction !== null) {
    return { kind: 'jurisdiction', ...user.jurisdiction, userId: user.id };
  }
  throw new HwError('HW_ERR_ROLE_FORBIDDEN');
}

const EXPORT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' } as const;

export const auditLogRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  app.get(
    '/audit-log',
    {
      config: { access: 'user' },
      schema: {
        tags: ['audit'],
        summary:
          "Who changed what, newest first, a page at a time: every entry (admin), the organisation's (operator), the jurisdiction's (regulator)",
        querystring: AuditQuery,
        response: { 200: AuditPage, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => readAuditLog(deps.db, viewerOf(request.caller), request.query),
  );

  app.get(
    '/audit-log/export',
    {
      config: { access: 'user' },
      schema: {
        tags: ['audit'],
        summary: 'The audit log entries the filters match, as a CSV or JSON file (at most 100 000)',
        querystring: AuditExportQuery,
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          ...SIGNED_IN_ERRORS,
        },
      },
    },
    async (request, reply) => {
      const { format, ...filter } = request.query;
      const file = await exportAuditLog(deps.db, viewerOf(request.caller), filter, format);
      const day = new Date(deps.pool.now()).toISOString().slice(0, 10);
      return reply
        .type(EXPORT_TYPES[format])
        .header('content-disposition', `attachment; filename="hashwatt-audit-log-${day}.${format}"`)
        .send(file);
    },
  );
  done();
};
