import { createHash, randomUUID } from 'node:crypto';
import type {
  Farm,
  RegisteredSigningKey,
  Report,
  ReportCalendar,
  ReportFormat,
  ReportLanguage,
  ReportVerification,
} from '@hashwatt/schemas';
import type { Database, Queryable } from '../../db/pool.ts';
import { HwError } from '../../errors.ts';
import { farmsInJurisdiction, getFarm } from '../farms.ts';
import { reportCsv } from './csv.ts';
import { composeReport } from './compose-report.ts';
import type { ReportMeta, ReportScope } from './document.ts';
import { farmFacts, type FarmFacts, type ReportFacts } from './facts.ts';
import { reportJson } from './json.ts';
import { reportPdf } from './pdf.ts';
import { periodConvention, resolvePeriod, type PeriodRequest } from './periods.ts';
import { registeredKeys, validAt, type RegisteredKey } from './key-registry.ts';
import { digestSigned, keyFingerprint, type ReportSigner } from './signing.ts';

/**
 * Issued regulator reports: made from stored data, signed, and kept as issued (the
 * database refuses to change or remove one). A file is checked by its digest.
 */

export interface ReportOrder {
  readonly scope: ReportScope;
  /** A month of the jurisdiction's calendar, two instants, or neither for the last whole month. */
  readonly period: PeriodRequest;
  readonly language: ReportLanguage;
  readonly format: ReportFormat;
  readonly issuedBy: string;
}

/** Whose reports a caller sees: every one, an organisation's farms', or a jurisdiction's. */
export type ReportViewer =
  | { readonly kind: 'all' }
  | { readonly kind: 'organisation'; readonly organisationId: string }
  | { readonly kind: 'jurisdiction'; readonly country: string; readonly regions: readonly string[] };

interface ReportRow {
  readonly id: string;
  readonly farm_id: string | null;
  readonly country: string | null;
  readonly regions: string[];
  readonly period_from: Date;
  readonly period_to: Date;
  readonly timezone: string;
  readonly calendar: ReportCalendar;
  readonly month: string | null;
  readonly language: ReportLanguage;
  readonly format: ReportFormat;
  readonly bytes: number;
  readonly sha256: Buffer;
  readonly signature: Buffer;
  readonly public_key: Buffer;
  readonly issued_at: Date;
}

const REPORT_COLUMNS = `r.id, r.farm_id::text, r.country, r.regions, r.period_from, r.period_to, r.timezone,
  r.calendar, r.month, r.language, r.format,
  length(r.content) AS bytes, r.sha256, r.signature, r.public_key, r.issued_at`;

function fileName(row: ReportRow): string {
  const subject =
    row.farm_id === null ? [row.country ?? '', ...row.regions].join('-') : `farm-${row.farm_id}`;
  // A free period is named by its first day in its own zone.
  const month =
    row.month ?? new Date(row.period_from.getTime()).toLocaleDateString('sv', { timeZone: row.timezone });
  return `hashwatt-report-${subject}-${month}-${row.language}-${row.id.slice(0, 8)}.${row.format}`;
}

function reportFrom(row: ReportRow): Report {
  return {
    id: row.id,
    farmId: row.farm_id,
    country: row.country,
    regions: row.regions,
    from: row.period_from.toISOString(),
    to: row.period_to.toISOString(),
    timezone: row.timezone,
    calendar: row.calendar,
    month: row.month,
    language: row.language,
    format: row.format,
    fileName: fileName(row),
    bytes: row.bytes,
    sha256: row.sha256.toString('hex'),
    signature: row.signature.toString('base64'),
    publicKey: row.public_key.toString('base64'),
    keyFingerprint: keyFingerprint(row.public_key),
    issuedAt: row.issued_at.toISOString(),
  };
}

async function farmsOf(db: Queryable, scope: ReportScope): Promise<Farm[]> {
  return scope.kind === 'farm'
    ? [await getFarm(db, scope.farmId)]
    : farmsInJurisdiction(db, { country: scope.country, regions: [...scope.regions] });
}

function rendered(
  facts: ReportFacts,
  meta: ReportMeta,
  format: ReportFormat,
  nowMs: number,
): Promise<Buffer> | Buffer {
  if (format === 'json') {
    return reportJson(facts, meta);
  }
  const document = composeReport(facts, meta);
  return format === 'csv' ? reportCsv(document) : reportPdf(document, nowMs);
}

/**
 * Issues a report: its facts are read from `db` (a pool: the reads run side by side on
 * several connections), and it is recorded through `into`, the caller's transaction
 * when the issuing is part of a larger change.
 */
export async function issueReport(
  db: Database,
  signer: ReportSigner,
  order: ReportOrder,
  nowMs: number,
  into: Queryable = db,
): Promise<Report> {
  const farms = await farmsOf(db, order.scope);
  const [single] = farms;
  const convention = periodConvention(
    order.scope.kind === 'farm' ? (single?.country ?? null) : order.scope.country,
    order.scope.kind === 'farm' ? (single?.timezone ?? null) : null,
    order.period.calendar,
  );
  const period = resolvePeriod(order.period, convention, nowMs);
  const facts: FarmFacts[] = [];
  // One farm at a time: a jurisdiction's report reads a month of data per farm.
  for (const farm of farms) {
    facts.push(await farmFacts(db, farm, period, nowMs));
  }
  const id = randomUUID();
  const content = await rendered(
    { period, farms: facts },
    {
      id,
      issuedAtMs: nowMs,
      scope: order.scope,
      language: order.language,
      signingKey: { fingerprint: signer.fingerprint, publicKey: signer.publicKey.toString('base64') },
    },
    order.format,
    nowMs,
  );
  const digest = createHash('sha256').update(content).digest();
  // Signed only with the registry's current key: a pool still holding a key rotated
  // since it started issues nothing that would not verify.
  const { rows } = await into.query<ReportRow>(
    `INSERT INTO reports AS r (id, farm_id, country, regions, period_from, period_to, language, format, content,
                               sha256, signature, public_key, issued_by, issued_at, timezone, calendar, month)
     SELECT $1, $2, $3, $4, to_timestamp($5::double precision / 1000), to_timestamp($6::double precision / 1000),
             $7, $8, $9, $10, $11, $12, $13, to_timestamp($14::double precision / 1000), $15, $16, $17
      WHERE EXISTS (SELECT 1 FROM report_signing_keys k
                     WHERE k.public_key = $12 AND k.valid_until IS NULL
                       AND k.valid_from <= to_timestamp($14::double precision / 1000))
     RETURNING ${REPORT_COLUMNS}`,
    [
      id,
      order.scope.kind === 'farm' ? order.scope.farmId : null,
      order.scope.kind === 'jurisdiction' ? order.scope.country : null,
      order.scope.kind === 'jurisdiction' ? order.scope.regions : [],
      period.fromMs,
      period.toMs,
      order.language,
      order.format,
      content,
      digest,
      signer.sign(digest),
      signer.publicKey,
      order.issuedBy,
      nowMs,
      period.timezone,
      period.calendar,
      period.month,
    ],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_REPORT_KEY_RETIRED');
  }
  return reportFrom(row);
}

const VISIBLE = `($1::bigint IS NULL OR f.organisation_id = $1)
  AND ($2::text IS NULL OR (
    coalesce(f.country, r.country) = $2
    AND (cardinality($3::text[]) = 0
         OR (r.farm_id IS NOT NULL AND f.region = ANY ($3::text[]))
         OR (r.farm_id IS NULL AND cardinality(r.regions) > 0 AND r.regions <@ $3::text[]))))`;

function viewerParams(viewer: ReportViewer): [string | null, string | null, readonly string[]] {
  if (viewer.kind === 'organisation') {
    return [viewer.organisationId, null, []];
  }
  return viewer.kind === 'jurisdiction' ? [null, viewer.country, viewer.regions] : [null, null, []];
}

export async function listReports(db: Queryable, viewer: ReportViewer): Promise<Report[]> {
  const { rows } = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS} FROM reports r LEFT JOIN farms f ON f.id = r.farm_id
      WHERE ${VISIBLE} ORDER BY r.issued_at DESC LIMIT 500`,
    viewerParams(viewer),
  );
  return rows.map(reportFrom);
}

/** A report and its bytes, when the viewer may see it; otherwise 404, as if absent. */
export async function reportFile(
  db: Queryable,
  viewer: ReportViewer,
  id: string,
): Promise<{ readonly report: Report; readonly content: Buffer }> {
  const { rows } = await db.query<ReportRow & { readonly content: Buffer }>(
    `SELECT ${REPORT_COLUMNS}, r.content FROM reports r LEFT JOIN farms f ON f.id = r.farm_id
      WHERE r.id = $4 AND ${VISIBLE}`,
    [...viewerParams(viewer), id],
  );
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_REPORT_NOT_FOUND', undefined, 'params.id');
  }
  return { report: reportFrom(row), content: row.content };
}

/** The key registry as the API publishes it. */
export function publishedKey(key: RegisteredKey): RegisteredSigningKey {
  return {
    algorithm: 'Ed25519',
    fingerprint: key.fingerprint,
    publicKey: key.publicKey.toString('base64'),
    validFrom: key.validFrom.toISOString(),
    validUntil: key.validUntil?.toISOString() ?? null,
  };
}

/**
 * Why a report's signature does not stand, or null when it does: checked under the
 * registry's key the report names, which must have been valid when it was issued.
 * The key in the report's own row is only a name, never trusted.
 */
function signatureProblem(
  report: Pick<Report, 'keyFingerprint' | 'issuedAt' | 'signature' | 'sha256'>,
  key: Pick<RegisteredKey, 'fingerprint' | 'publicKey' | 'validFrom' | 'validUntil'> | undefined,
): string | null {
  if (key?.fingerprint !== report.keyFingerprint) {
    return `not signed by a key of this pool: key ${report.keyFingerprint} is not in its key registry`;
  }
  if (!validAt(key, new Date(report.issuedAt))) {
    return `issued ${report.issuedAt}, outside the validity of key ${key.fingerprint} (${key.validFrom.toISOString()} – ${key.validUntil?.toISOString() ?? 'now'})`;
  }
  const signed = digestSigned(
    Buffer.from(report.sha256, 'hex'),
    Buffer.from(report.signature, 'base64'),
    key.publicKey,
  );
  return signed ? null : `the signature does not hold under key ${key.fingerprint}`;
}

/** What the pool issued under a file's digest, and whether its signature holds under a registered key. */
export async function verifyDigest(db: Queryable, digest: Buffer): Promise<ReportVerification> {
  const { rows } = await db.query<ReportRow>(`SELECT ${REPORT_COLUMNS} FROM reports r WHERE r.sha256 = $1`, [
    digest,
  ]);
  const [row] = rows;
  if (!row) {
    throw new HwError('HW_ERR_REPORT_NOT_ISSUED');
  }
  const report = reportFrom(row);
  const key = (await registeredKeys(db)).find((known) => known.fingerprint === report.keyFingerprint);
  const problem = signatureProblem(report, key);
  return {
    valid: problem === null,
    sha256: digest.toString('hex'),
    report,
    key: key === undefined ? null : publishedKey(key),
    problem,
  };
}
