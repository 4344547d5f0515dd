import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import type { Report } from '@hashwatt/schemas';
import type { TestApi } from './api.ts';

const run = promisify(execFile);

/** Issues a report through the API as `headers`' user, and downloads its file. */
export async function issueReportFile(
  api: TestApi,
  headers: Record<string, string>,
  body: Record<string, unknown>,
): Promise<{ report: Report; file: Buffer }> {
  const issued = await api.app.inject({ method: 'POST', url: '/api/reports', headers, payload: body });
  expect(issued.statusCode, issued.body).toBe(201);
  const report = issued.json<Report>();
  const download = await api.app.inject({ method: 'GET', url: `/api/reports/${report.id}/file`, headers });
  expect(download.statusCode).toBe(200);
  expect(download.headers['x-hashwatt-sha256']).toBe(report.sha256);
  return { report, file: download.rawPayload };
}

/** A PDF's words as pdftotext (poppler-utils) reads them, on one line. */
export async function pdfText(file: Buffer, directory: string): Promise<string> {
  const name = path.join(directory, `${String(Math.random()).slice(2)}.pdf`);
  writeFileSync(name, file);
  const { stdout } = await run('pdftotext', ['-layout', name, '-']);
  // pdftotext marks right-to-left runs with bidi controls; the words are what count.
  return stdout.replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, ' ');
}
