import type { ReportFormat, ReportLanguage, SessionView } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { apiUrl } from '../../../lib/api-client.ts';
import { useFormat } from '../../../lib/format.ts';
import { useIssueReport, useReportableFarms, useReports, useVerifyReport } from '../api/reports.ts';
import {
  calendarOf,
  lastMonth,
  monthLabel,
  persianMonthNames,
  persianYears,
  type MonthCalendar,
} from '../lib/report-months.ts';

const LANGUAGES: readonly ReportLanguage[] = ['en', 'fa', 'ru'];
const FORMATS: readonly ReportFormat[] = ['pdf', 'csv', 'json'];
const JURISDICTION = 'jurisdiction';

/**
 * The month to report on, in the calendar its jurisdiction files by: a Solar Hijri
 * month and year for an Iranian farm, a Gregorian month for any other.
 */
function MonthPicker({
  calendar,
  month,
  nowMs,
  onChange,
}: {
  calendar: MonthCalendar;
  month: string;
  nowMs: number;
  onChange: (month: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  if (calendar === 'gregorian') {
    return (
      <label>
        {t('reports.month')}
        <input
          type="month"
          name="month"
          value={month}
          onChange={(event) => {
            onChange(event.target.value);
          }}
        />
      </label>
    );
  }
  const [year = '', number = ''] = month.split('-');
  // A year is not a quantity: 1405, never 1,405.
  const years = new Intl.NumberFormat(format.locale, { useGrouping: false });
  return (
    <label>
      {t('reports.month')}
      <select
        name="persian-month"
        value={number}
        onChange={(event) => {
          onChange(`${year}-${event.target.value}`);
        }}
      >
        {persianMonthNames(format.locale).map((entry) => (
          <option key={entry.month} value={String(entry.month).padStart(2, '0')}>
            {entry.name}
          </option>
        ))}
      </select>
      <select
        name="persian-year"
        value={year}
        onChange={(event) => {
          onChange(`${event.target.value}-${number}`);
        }}
      >
        {persianYears(nowMs).map((option) => (
          <option key={option} value={String(option)}>
            {years.format(option)}
          </option>
        ))}
      </select>
    </label>
  );
}

function IssueForm({ user }: { user: SessionView['user'] }) {
  const { t } = useTranslation();
  const { data: farms = [] } = useReportableFarms(user);
  const issue = useIssueReport();
  // The page's notion of now, fixed when it opens: the months offered do not shift under the reader.
  const [nowMs] = useState(() => Date.now());
  const [scope, setScope] = useState('');
  const [picked, setMonth] = useState<{ calendar: MonthCalendar; month: string } | null>(null);
  const [language, setLanguage] = useState<ReportLanguage>('en');
  const [format, setFormat] = useState<ReportFormat>('pdf');
  const chosen = scope === '' ? (farms[0]?.id ?? '') : scope;
  const calendar = calendarOf(
    chosen === JURISDICTION ? user.jurisdiction?.country : farms.find((farm) => farm.id === chosen)?.country,
  );
  // A month picked in another calendar (another farm's) does not carry over.
  const month = picked?.calendar === calendar ? picked.month : lastMonth(calendar, nowMs);
  return (
    <form
      className="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const target =
          chosen === JURISDICTION && user.jurisdiction !== null
            ? { country: user.jurisdiction.country, regions: user.jurisdiction.regions }
            : { farmId: chosen };
        issue.mutate({ ...target, month, language, format });
      }}
    >
      <label>
        {t('reports.scope')}
        <select
          name="scope"
          value={chosen}
          onChange={(event) => {
            setScope(event.target.value);
          }}
        >
          {farms.map((farm) => (
            <option key={farm.id} value={farm.id}>
              {farm.name}
            </option>
          ))}
          {user.role === 'regulator' ? (
            <option value={JURISDICTION}>{t('reports.jurisdiction')}</option>
          ) : null}
        </select>
      </label>
      <MonthPicker
        calendar={calendar}
        month={month}
        nowMs={nowMs}
        onChange={(next) => {
          setMonth({ calendar, month: next });
        }}
      />
      <label>
        {t('reports.language')}
        <select
          name="language"
          value={language}
          onChange={(event) => {
            setLanguage(event.target.value as ReportLanguage);
          }}
        >
          {LANGUAGES.map((option) => (
            <option key={option} value={option}>
              {t(`app.languages.${option}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('reports.format')}
        <select
          name="format"
          value={format}
          onChange={(event) => {
            setFormat(event.target.value as ReportFormat);
          }}
        >
          {FORMATS.map((option) => (
            <option key={option} value={option}>
              {option.toUpperCase()}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={issue.isPending || chosen === ''}>
        {t('reports.issue')}
      </button>
    </form>
  );
}

function VerifyForm() {
  const { t } = useTranslation();
  const format = useFormat();
  const verify = useVerifyReport();
  return (
    <div>
      <label>
        {t('reports.verifyFile')}
        <input
          type="file"
          name="report-file"
          accept=".pdf,.csv,.json,application/pdf,text/csv,application/json"
          onChange={(event) => {
            const file = event.target.files?.[0];
            if (file) {
              verify.mutate(file);
            }
          }}
        />
      </label>
      {verify.data ? (
        <p role="status" className={verify.data.valid ? 'verdict ok' : 'verdict bad'}>
          {verify.data.valid
            ? t('reports.verified', { date: format.dateTime(verify.data.report.issuedAt) })
            : t('reports.notVerified')}
          <br />
          <span className="mono" dir="ltr">
            {t('reports.sha256')} {verify.data.sha256}
          </span>
        </p>
      ) : null}
      {verify.error ? (
        <p role="status" className="verdict bad">
          {t('errors.HW_ERR_REPORT_NOT_ISSUED')}
        </p>
      ) : null}
    </div>
  );
}

export function ReportsPage({ user }: { user: SessionView['user'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: reports = [] } = useReports();
  return (
    <div className="page">
      <h1>{t('reports.title')}</h1>
      <Section title={t('reports.request')}>
        <IssueForm user={user} />
      </Section>
      <Section title={t('reports.list')}>
        <ListTable
          items={reports}
          empty={t('common.none')}
          headers={[
            t('reports.period'),
            t('reports.scope'),
            t('reports.language'),
            t('reports.issued'),
            t('reports.sha256'),
            '',
          ]}
          row={(report) => (
            <tr key={report.id}>
              <td title={`${report.from} – ${report.to} (${report.timezone})`}>
                {report.month === null
                  ? `${format.date(report.from)} – ${format.date(Date.parse(report.to) - 1)}`
                  : monthLabel(report.month, report.calendar, format.locale)}
              </td>
              <td dir="ltr">
                {report.farmId === null ? [report.country, ...report.regions].join(' ') : `#${report.farmId}`}
              </td>
              <td>{t(`app.languages.${report.language}`)}</td>
              <td>{format.dateTime(report.issuedAt)}</td>
              <td className="mono" dir="ltr" title={report.sha256}>
                {report.sha256.slice(0, 16)}…
              </td>
              <td>
                <a href={apiUrl(`/reports/${report.id}/file`)} download={report.fileName}>
                  {t('common.download')} {report.format.toUpperCase()}
                </a>
              </td>
            </tr>
          )}
        />
      </Section>
      <Section title={t('reports.verify')}>
        <VerifyForm />
      </Section>
    </div>
  );
}
