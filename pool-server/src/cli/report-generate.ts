/** `hashwatt report generate …`: issues a report as the API would, and writes its file. */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ReportCalendar, ReportFormat, ReportLanguage } from '@hashwatt/schemas';
import { findUserIdByEmail } from '../accounts/users.ts';
import { issueReport, reportFile } from '../farms/reports/issued-reports.ts';
import { openSigningKey } from '../farms/reports/key-registry.ts';
import { closeStorage, connectDatabase, signingKeyFile } from '../roles/storage.ts';
import type { CommandContext } from './context.ts';
import { prepareCommand, problemOf } from './setup.ts';

export async function run(args: readonly string[], context: CommandContext): Promise<number> {
  const prepared = await prepareCommand(args, context, { logTo: 'stderr' });
  if (typeof prepared === 'number') {
    return prepared;
  }
  const { config, log } = prepared;
  const { values } = parseArgs({
    args: [...args],
    options: {
      farm: { type: 'string' },
      country: { type: 'string' },
      region: { type: 'string', multiple: true },
      month: { type: 'string' },
      calendar: { type: 'string' },
      language: { type: 'string' },
      format: { type: 'string' },
      as: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string' },
    },
    strict: true,
  });
  const problems = [
    ...((values.farm === undefined) === (values.country === undefined)
      ? ['give --farm ID or --country CC']
      : []),
    ...(['en', 'fa', 'ru'].includes(values.language ?? '') ? [] : ['--language is en, fa or ru']),
    ...(['pdf', 'csv', 'json'].includes(values.format ?? '') ? [] : ['--format is pdf, csv or json']),
    ...(values.calendar === undefined || ['gregorian', 'persian'].includes(values.calendar)
      ? []
      : ['--calendar is gregorian or persian']),
    ...(values.month === undefined || /^[0-9]{4}-(0[1-9]|1[0-2])$/.test(values.month)
      ? []
      : ['--month is YYYY-MM']),
    ...(values.as === undefined ? ['--as names the user it is issued for'] : []),
    ...(values.out === undefined ? ['--out names the file to write'] : []),
  ];
  if (problems.length > 0) {
    context.stderr.write(`report generate: ${problems.join('; ')}\n`);
    return 2;
  }
  const storage = await connectDatabase(config, log);
  try {
    const issuedBy = await findUserIdByEmail(storage.db, values.as ?? '');
    if (issuedBy === undefined) {
      context.stderr.write(`report generate: no user ${String(values.as)}\n`);
      return 2;
    }
    const nowMs = Date.now();
    // Standard output is the report's JSON: what start-up would log goes to standard error.
    const note = (fields: object, message: string): void => {
      context.stderr.write(`report generate: ${message} ${JSON.stringify(fields)}\n`);
    };
    const signer = await openSigningKey(
      storage.db,
      signingKeyFile(config),
      { warn: note, info: note },
      nowMs,
    );
    const report = await issueReport(
      storage.db,
      signer,
      {
        scope:
          values.farm === undefined
            ? { kind: 'jurisdiction', country: values.country ?? '', regions: values.region ?? [] }
            : { kind: 'farm', farmId: values.farm },
        period: { month: values.month, calendar: values.calendar as ReportCalendar | undefined },
        language: values.language as ReportLanguage,
        format: values.format as ReportFormat,
        issuedBy,
      },
      nowMs,
    );
    const { content } = await reportFile(storage.db, { kind: 'all' }, report.id);
    writeFileSync(values.out ?? '', content);
    context.stdout.write(`${JSON.stringify(report)}\n`);
    return 0;
  } catch (error) {
    context.stderr.write(`report generate: ${problemOf(error)}\n`);
    return 1;
  } finally {
    await closeStorage(storage);
  }
}
