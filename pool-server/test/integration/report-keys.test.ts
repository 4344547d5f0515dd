/**
 * The report key registry on a real PostgreSQL database: start-up against the key file,
 * rotation, and verification that trusts only registered keys valid when a report was
 * issued, by the API and by `hashwatt report verify` (its check, run in this process
 * against the API listening on 127.0.0.1).
 */
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RegisteredSigningKey, Report, ReportSigningKey, ReportVerification } from '@hashwatt/schemas';
import { checkReportFile } from '../../src/farms/reports/verify-file.ts';
import {
  openSigningKey,
  registeredKeys,
  rotateSigningKey,
  type StartupLog,
} from '../../src/farms/reports/key-registry.ts';
import { readSigningKey, signerFromKey, type ReportSigner } from '../../src/farms/reports/signing.ts';
import { issueReport } from '../../src/farms/reports/issued-reports.ts';
import { farmOfOperator, startTestApi, type FarmOfOperator, type TestApi } from '../helpers/api.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 9);

function recordingLog(): StartupLog & { lines: { fields: object; message: string }[] } {
  const lines: { fields: object; message: string }[] = [];
  return {
    lines,
    warn: (fields, message) => lines.push({ fields, message }),
    info: (fields, message) => lines.push({ fields, message }),
  };
}

function signerIn(file: string): ReportSigner {
  const read = readSigningKey(file);
  if (read.kind !== 'key') {
    throw new Error(`no key in ${file}`);
  }
  return read.signer;
}

describe('start-up against the key registry', () => {
  let database: TestDatabase;
  let directory: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-keys-'));
  });

  afterAll(async () => {
    await database.drop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('makes and registers a key on a fresh install, logged at warn with its fingerprint', async () => {
    const file = path.join(directory, 'data', 'report-signing-key.pem');
    const log = recordingLog();
    const signer = await openSigningKey(database.db, file, log, T0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(log.lines.map((line) => line.fields)).toEqual([{ file, fingerprint: signer.fingerprint }]);
    expect(log.lines[0]?.message).toContain('made one');
    const keys = await registeredKeys(database.db);
    expect(keys).toEqual([
      {
        fingerprint: signer.fingerprint,
        publicKey: signer.publicKey,
        validFrom: new Date(T0),
        validUntil: null,
      },
    ]);
    // The next start reads the same key and registers nothing more.
    const again = await openSigningKey(database.db, file, recordingLog(), T0 + DAY);
    expect(again.fingerprint).toBe(signer.fingerprint);
    expect(await registeredKeys(database.db)).toHaveLength(1);
  });

  it('refuses to start when the key file is missing and the registry holds a key', async () => {
    const file = path.join(directory, 'elsewhere', 'report-signing-key.pem');
    await expect(openSigningKey(database.db, file, recordingLog(), T0 + DAY)).rejects.toThrow(
      `the signing key file ${file} is missing`,
    );
    await expect(openSigningKey(database.db, file, recordingLog(), T0 + DAY)).rejects.toThrow(
      'hashwatt report key rotate',
    );
    // No key was made in its place.
    expect(existsSync(file)).toBe(false);
    expect(await registeredKeys(database.db)).toHaveLength(1);
  });

  it('refuses to start when the key file holds another key than the registry’s current one', async () => {
    const file = path.join(directory, 'swapped.pem');
    writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const swapped = signerIn(file);
    const refused = openSigningKey(database.db, file, recordingLog(), T0 + DAY);
    await expect(refused).rejects.toThrow(`${file} holds key ${swapped.fingerprint}`);
    await expect(openSigningKey(database.db, file, recordingLog(), T0 + DAY)).rejects.toThrow(
      'hashwatt report key rotate',
    );
  });

  it('keeps key rows as registered: no change but retiring once, no delete', async () => {
    const { db } = database;
    const refused = /never changed or removed/;
    await expect(db.query("UPDATE report_signing_keys SET public_key = '\\x00'::bytea")).rejects.toThrow(
      refused,
    );
    await expect(
      db.query("UPDATE report_signing_keys SET valid_from = valid_from - interval '1 day'"),
    ).rejects.toThrow(refused);
    await expect(db.query('DELETE FROM report_signing_keys')).rejects.toThrow(refused);
    await expect(db.query('TRUNCATE report_signing_keys')).rejects.toThrow(refused);
    await db.query("UPDATE report_signing_keys SET valid_until = valid_from + interval '1 day'");
    // Once retired, a key stays retired as it was.
    await expect(db.query('UPDATE report_signing_keys SET valid_until = NULL')).rejects.toThrow(refused);
    await expect(
      db.query("UPDATE report_signing_keys SET valid_until = valid_until + interval '1 day'"),
    ).rejects.toThrow(refused);
  });
});

describe('reports signed before and after a rotation, and forged ones', () => {
  let api: TestApi;
  let farm: FarmOfOperator;
  let server: string;
  let directory: string;
  let keyFile: string;
  const issued: { report: Report; file: Buffer; path: string }[] = [];

  async function issue(signer: ReportSigner, nowMs: number, format: 'csv' | 'pdf' = 'csv'): Promise<Report> {
    const report = await issueReport(
      api.database.db,
      signer,
      {
        scope: { kind: 'farm', farmId: farm.farmId },
        period: { from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' },
        language: 'en',
        format,
        issuedBy: farm.operatorId,
      },
      nowMs,
    );
    const { rows } = await api.database.db.query<{ content: Buffer }>(
      'SELECT content FROM reports WHERE id = $1',
      [report.id],
    );
    const file = rows[0]?.content ?? Buffer.alloc(0);
    const at = path.join(directory, `${report.id}.${format}`);
    writeFileSync(at, file);
    issued.push({ report, file, path: at });
    return report;
  }

  async function verifyByApi(file: Buffer): Promise<ReportVerification> {
    const response = await api.app.inject({
      method: 'POST',
      url: '/api/reports/verify',
      headers: { 'content-type': 'application/octet-stream' },
      payload: file,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ReportVerification>();
  }

  const cli = (file: string, pinned: { fingerprint?: string; publicKey?: string } = {}) =>
    checkReportFile(file, {
      server,
      fingerprint: pinned.fingerprint,
      publicKey: pinned.publicKey,
      signature: undefined,
    });

  /** A report row as someone with the database could write it: any key, any signature, any date. */
  async function insertRow(content: Buffer, signer: ReportSigner, issuedAtMs: number): Promise<string> {
    const digest = createHash('sha256').update(content).digest();
    const at = path.join(directory, `${randomUUID()}.csv`);
    writeFileSync(at, content);
    await api.database.db.query(
      `INSERT INTO reports (id, farm_id, regions, period_from, period_to, language, format, content, sha256,
                            signature, public_key, issued_by, issued_at)
       VALUES ($1, $2, '{}', '2026-10-01', '2026-11-01', 'en', 'csv', $3, $4, $5, $6, $7, $8)`,
      [
        randomUUID(),
        farm.farmId,
        content,
        digest,
        signer.sign(digest),
        signer.publicKey,
        farm.operatorId,
        new Date(issuedAtMs),
      ],
    );
    return at;
  }

  beforeAll(async () => {
    directory = mkdtempSync(path.join(tmpdir(), 'hashwatt-rotation-'));
    keyFile = path.join(directory, 'report-signing-key.pem');
    api = await startTestApi();
    farm = await farmOfOperator(api, 'keys@farm.test');
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    server = `http://127.0.0.1:${String(typeof address === 'object' && address ? address.port : 0)}`;
  });

  afterAll(async () => {
    await api.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('publishes the current key and prints its fingerprint and public key on each report', async () => {
    const published = (
      await api.app.inject({ method: 'GET', url: '/api/reports/signing-key' })
    ).json<ReportSigningKey>();
    expect(published.fingerprint).toBe(api.reportSigner.fingerprint);
    const csv = await issue(api.reportSigner, T0);
    const pdf = await issue(api.reportSigner, T0, 'pdf');
    expect(csv.keyFingerprint).toBe(published.fingerprint);
    const text = issued[0]?.file.toString('utf8') ?? '';
    expect(text).toContain(
      `report,keyFingerprint,Pool signing key (SHA-256 fingerprint),${published.fingerprint}`,
    );
    expect(text).toContain(`report,publicKey,"Pool signing key (Ed25519 public key, base64)",`);
    expect(text).toContain(published.publicKey);
    expect(pdf.keyFingerprint).toBe(published.fingerprint);
    // The PDF's text is compressed; its fingerprint line is checked with pdftotext in regulator-reports.
  });

  it('verifies reports issued before and after two rotations, each under its own key', async () => {
    const first = await rotateSigningKey(api.database.db, keyFile, T0 + DAY);
    expect(first.retired?.fingerprint).toBe(api.reportSigner.fingerprint);
    expect(first.retired?.validUntil).toEqual(new Date(T0 + DAY));
    expect(first.keptAs).toBeUndefined();
    const k1 = signerIn(keyFile);
    expect(first.current.fingerprint).toBe(k1.fingerprint);
    await issue(k1, T0 + 2 * DAY);

    const second = await rotateSigningKey(api.database.db, keyFile, T0 + 3 * DAY);
    // The old key file is kept beside the new one, readable by its owner only.
    expect(second.keptAs).toBe(`${keyFile}.retired-${k1.fingerprint.slice(0, 16)}`);
    expect(statSync(second.keptAs ?? '').mode & 0o777).toBe(0o600);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(signerIn(second.keptAs ?? '').fingerprint).toBe(k1.fingerprint);
    const k2 = signerIn(keyFile);
    await issue(k2, T0 + 4 * DAY);

    const keys = (await api.app.inject({ method: 'GET', url: '/api/reports/signing-keys' })).json<
      RegisteredSigningKey[]
    >();
    expect(keys.map((key) => [key.fingerprint, key.validUntil])).toEqual([
      [api.reportSigner.fingerprint, new Date(T0 + DAY).toISOString()],
      [k1.fingerprint, new Date(T0 + 3 * DAY).toISOString()],
      [k2.fingerprint, null],
    ]);
    for (const { report, file, path: at } of issued) {
      const verification = await verifyByApi(file);
      expect(verification, report.id).toMatchObject({
        valid: true,
        problem: null,
        key: { fingerprint: report.keyFingerprint },
      });
      const checked = await cli(at);
      expect(checked.ok, checked.message).toBe(true);
      expect(checked.message).toContain(`VERIFIED: report ${report.id}`);
    }
    // Pinned: a report verifies under the fingerprint it was signed with, and no other.
    const byK1 = issued[2];
    expect((await cli(byK1?.path ?? '', { fingerprint: k1.fingerprint })).ok).toBe(true);
    expect((await cli(byK1?.path ?? '', { publicKey: k1.publicKey.toString('base64') })).ok).toBe(true);
    const notK2 = await cli(byK1?.path ?? '', { fingerprint: k2.fingerprint });
    expect(notK2.ok).toBe(false);
    expect(notK2.message).toContain(`not the pinned ${k2.fingerprint}`);

    // A pool still holding a retired key issues nothing with it.
    await expect(issue(k1, T0 + 5 * DAY)).rejects.toMatchObject({ code: 'HW_ERR_REPORT_KEY_RETIRED' });
    const stale = await api.app.inject({
      method: 'POST',
      url: '/api/reports',
      headers: farm.operator,
      payload: { farmId: farm.farmId, month: '2026-10', language: 'en', format: 'csv' },
    });
    expect(stale.statusCode).toBe(503);
    expect(stale.json()).toMatchObject({ error: 'HW_ERR_REPORT_KEY_RETIRED' });

    // Start-up takes the new file, and refuses the retired one put back in its place.
    expect((await openSigningKey(api.database.db, keyFile, recordingLog(), T0 + 5 * DAY)).fingerprint).toBe(
      k2.fingerprint,
    );
    await expect(
      openSigningKey(api.database.db, second.keptAs ?? '', recordingLog(), T0 + 5 * DAY),
    ).rejects.toThrow(`holds key ${k1.fingerprint}, a retired key`);
  });

  it('fails a report row signed with a key that is not the pool’s, by the API and by the CLI', async () => {
    const forger = signerFromKey(generateKeyPairSync('ed25519').privateKey);
    const genuine = issued[0]?.file ?? Buffer.alloc(0);
    const forged = Buffer.from(genuine.toString('utf8').replace('Hall A', 'Hall B'), 'utf8');
    const at = await insertRow(forged, forger, T0 + 2 * DAY);
    const verification = await verifyByApi(forged);
    expect(verification.valid).toBe(false);
    expect(verification.key).toBeNull();
    expect(verification.problem).toContain('not signed by a key of this pool');
    const checked = await cli(at);
    expect(checked.ok).toBe(false);
    expect(checked.message).toContain('not signed by a key of this pool');
  });

  it('fails a report signed by a pool key outside that key’s validity', async () => {
    // Signed with the current key, but dated before the key existed.
    const current = signerIn(keyFile);
    const backdated = Buffer.concat([issued[0]?.file ?? Buffer.alloc(0), Buffer.from('\r\n')]);
    const at = await insertRow(backdated, current, T0);
    const verification = await verifyByApi(backdated);
    expect(verification.valid).toBe(false);
    expect(verification.problem).toContain(`outside the validity of key ${current.fingerprint}`);
    const checked = await cli(at);
    expect(checked.ok).toBe(false);
    expect(checked.message).toContain(`outside the validity of key ${current.fingerprint}`);
  });
});
