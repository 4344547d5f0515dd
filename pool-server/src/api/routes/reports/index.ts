import type { FastifyPluginCallbackTypebox } from '@fastify/type-provider-typebox';
import { createHash } from 'node:crypto';
import Type from 'typebox';
import {
  RegisteredSigningKey,
  Report,
  ReportDigestParams,
  ReportParams,
  ReportRequest,
  ReportSigningKey,
  ReportVerification,
} from '@hashwatt/schemas';
import type { ApiDeps } from '../../deps.ts';
import type { Caller } from '../../access.ts';
import { HwError } from '../../../errors.ts';
import type { ReportScope } from '../../../farms/reports/document.ts';
import { getFarm } from '../../../farms/farms.ts';
import { registeredKeys } from '../../../farms/reports/key-registry.ts';
import {
  issueReport,
  listReports,
  publishedKey,
  reportFile,
  verifyDigest,
  type ReportViewer,
} from '../../../farms/reports/issued-reports.ts';
import { audited, farmScope } from '../../audited.ts';
import { jurisdictionOf, ownFarm, regulatedFarm, userId } from '../../scope.ts';
import { PUBLIC_ERRORS, SIGNED_IN_ERRORS } from '../error-responses.ts';

/** Issued reports are kept for ever: each caller may issue this many a minute. */
const REPORTS_PER_MINUTE = 20;
/** The largest file the verify route reads: a jurisdiction's PDF of many farms. */
const VERIFY_BODY_LIMIT = 32 * 1024 * 1024;
const FILE_TYPES = {
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
  json: 'application/json',
} as const;

function viewerOf(caller: Caller): ReportViewer {
  const user = caller.kind === 'user' ? caller.session.user : undefined;
  if (user?.role === 'operator' && user.organisationId !== null) {
    return { kind: 'organisation', organisationId: user.organisationId };
  }
  const jurisdiction = jurisdictionOf(caller);
  return jurisdiction === undefined
    ? { kind: 'all' }
    : { kind: 'jurisdiction', country: jurisdiction.country, regions: jurisdiction.regions };
}

/** What the caller may report on: its own farm (operator), its jurisdiction or a farm in it (regulator), anything (admin). */
async function scopeOf(deps: ApiDeps, caller: Caller, request: ReportRequest): Promise<ReportScope> {
  if ((request.farmId === undefined) === (request.country === undefined)) {
    throw new HwError(
      'HW_ERR_VALIDATION',
      'A report is for one farm (farmId) or one jurisdiction (country): give one of them.',
      'body.farmId',
    );
  }
  const role = caller.kind === 'user' ? caller.session.user.role : undefined;
  if (request.farmId !== undefined) {
    const farm =
      role === 'regulator'
        ? await regulatedFarm(deps.db, caller, request.farmId)
        : await ownFarm(deps.db, caller, request.farmId);
    return { kind: 'farm', farmId: farm.id };
  }
  if (role === 'operator') {
    throw new HwError(
      'HW_ERR_ROLE_FORBIDDEN',
      'An operator reports on its own farms (farmId), not on a jurisdiction.',
      'body.country',
    );
  }
  const country = request.country ?? '';
  const regions = request.regions ?? [];
  const own = jurisdictionOf(caller);
  if (own === undefined) {
    return { kind: 'jurisdiction', country, regions };
  }
  const outside =
    own.country !== country ||
    (own.regions.length > 0 && regions.some((region) => !own.regions.includes(region)));
  if (outside) {
    throw new HwError(
      'HW_ERR_ROLE_FORBIDDEN',
      'A regulator reports on its own jurisdiction only.',
      'body.country',
    );
  }
  return { kind: 'jurisdiction', country, regions: regions.length > 0 ? regions : own.regions };
}

export const reportRoutes: FastifyPluginCallbackTypebox<ApiDeps> = (app, deps, done) => {
  const signingKey = {
    algorithm: 'Ed25519' as const,
    fingerprint: deps.reportSigner.fingerprint,
    publicKey: deps.reportSigner.publicKey.toString('base64'),
    pem: deps.reportSigner.publicKeyPem,
  };

  app.post(
    '/reports',
    {
      config: {
        access: 'user',
        rateLimit: {
          max: REPORTS_PER_MINUTE,
          timeWindow: 60_000,
          keyGenerator: (request) =>
            request.caller.kind === 'user' ? request.caller.session.user.id : request.ip,
          errorResponseBuilder: () => new HwError('HW_ERR_RATE_LIMITED'),
        },
      },
      schema: {
        tags: ['reports'],
        summary:
          'Issue a report for a farm or a jurisdiction over a month: made from stored data, signed with the pool key, kept unchanged',
        body: ReportRequest,
        response: { 201: Report, ...SIGNED_IN_ERRORS, 429: PUBLIC_ERRORS[429], 503: PUBLIC_ERRORS[503] },
      },
    },
    async (request, reply) => {
      const nowMs = deps.pool.now();
      const scope = await scopeOf(deps, request.caller, request.body);
      const { month, calendar, from, to } = request.body;
      const report = await audited(deps.db, request, 'report.issue', async (tx) => {
        const issued = await issueReport(
          deps.db,
          deps.reportSigner,
          {
            scope,
            period: { month, calendar, from, to },
            language: request.body.language,
            format: request.body.format,
            issuedBy: userId(request.caller),
          },
          nowMs,
          tx,
        );
        return {
          result: issued,
          ids: { report: issued.id, ...(issued.farmId !== null && { farm: issued.farmId }) },
          scope:
            scope.kind === 'farm'
              ? farmScope(await getFarm(tx, scope.farmId))
              : { country: scope.country, regions: scope.regions },
          after: { ...request.body, sha256: issued.sha256 },
        };
      });
      return reply.code(201).send(report);
    },
  );

  app.get(
    '/reports',
    {
      config: { access: 'user' },
      schema: {
        tags: ['reports'],
        summary:
          "The reports the caller may see, newest first: its farms' (operator), its jurisdiction's (regulator)",
        response: { 200: Type.Array(Report), ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => listReports(deps.db, viewerOf(request.caller)),
  );

  app.get(
    '/reports/:id',
    {
      config: { access: 'user' },
      schema: {
        tags: ['reports'],
        summary: 'One issued report: its period, digest and signature',
        params: ReportParams,
        response: { 200: Report, ...SIGNED_IN_ERRORS },
      },
    },
    async (request) => (await reportFile(deps.db, viewerOf(request.caller), request.params.id)).report,
  );

  app.get(
    '/reports/:id/file',
    {
      config: { access: 'user' },
      schema: {
        tags: ['reports'],
        summary:
          'The report file exactly as issued (its digest and signature in X-Hashwatt-Sha256 and X-Hashwatt-Signature)',
        params: ReportParams,
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), ...SIGNED_IN_ERRORS },
      },
    },
    async (request, reply) => {
      const { report, content } = await reportFile(deps.db, viewerOf(request.caller), request.params.id);
      return reply
        .type(FILE_TYPES[report.format])
        .header('content-disposition', `attachment; filename="${report.fileName}"`)
        .header('x-hashwatt-sha256', report.sha256)
        .header('x-hashwatt-signature', report.signature)
        .send(content);
    },
  );

  app.get(
    '/reports/verify/:sha256',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary: "Check a report by its file's SHA-256: whether this pool issued it, and its signature",
        params: ReportDigestParams,
        response: { 200: ReportVerification, ...PUBLIC_ERRORS },
      },
    },
    async (request) => verifyDigest(deps.db, Buffer.from(request.params.sha256, 'hex')),
  );

  app.register((scope, _options, registered) => {
    // The file itself is the body: a PDF or a CSV, as downloaded, byte for byte.
    scope.addContentTypeParser(
      ['application/pdf', 'text/csv', 'application/octet-stream'],
      { parseAs: 'buffer', bodyLimit: VERIFY_BODY_LIMIT },
      (_request, body, parsed) => {
        parsed(null, body);
      },
    );
    scope.post(
      '/reports/verify',
      {
        config: { access: 'public' },
        bodyLimit: VERIFY_BODY_LIMIT,
        schema: {
          tags: ['reports'],
          summary: 'Check a report file (the body, as application/pdf, text/csv or application/octet-stream)',
          response: {
            200: ReportVerification,
            ...PUBLIC_ERRORS,
            413: PUBLIC_ERRORS[400],
            415: PUBLIC_ERRORS[400],
          },
        },
      },
      async (request) => {
        if (!Buffer.isBuffer(request.body)) {
          throw new HwError(
            'HW_ERR_UNSUPPORTED_MEDIA_TYPE',
            'Send the report file as application/pdf, text/csv or application/octet-stream.',
          );
        }
        return verifyDigest(deps.db, createHash('sha256').update(request.body).digest());
      },
    );
    registered();
  });

  app.get(
    '/reports/signing-key',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary:
          "The pool's current Ed25519 public key for reports: its fingerprint (as printed on each report), raw (base64) and as PEM",
        response: { 200: ReportSigningKey, ...PUBLIC_ERRORS },
      },
    },
    () => signingKey,
  );

  app.get(
    '/reports/signing-keys',
    {
      config: { access: 'public' },
      schema: {
        tags: ['reports'],
        summary:
          "The pool's key registry: every key it signed reports with and when each was valid, oldest first",
        response: { 200: Type.Array(RegisteredSigningKey), ...PUBLIC_ERRORS },
      },
    },
    async () => (await registeredKeys(deps.db)).map(publishedKey),
  );

  done();
};
