import type { AuditEntry, AuditFilter } from '@hashwatt/schemas';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { DateInput } from '../../../components/ui/date-input.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { auditExportUrl, useAuditLog } from '../api/get-audit-log.ts';

/** The actions the API records (pool-server/src/api/routes): the filter offers them by name. */
const AUDIT_ACTIONS = [
  'auth.sign-in',
  'auth.sign-in-failed',
  'auth.sign-out',
  'auth.password-change',
  'two-factor.enrol',
  'two-factor.enable',
  'two-factor.recovery-codes',
  'two-factor.disable',
  'user.create',
  'user.update',
  'user.two-factor-reset',
  'auth.sign-in-challenged',
  'organisation.create',
  'organisation.update',
  'pool-settings.update',
  'price.add',
  'farm.create',
  'farm.update',
  'tariff.add',
  'restricted-window.add',
  'curtailment-order.create',
  'curtailment.queue',
  'device.update',
  'device-command.queue',
  'device-command.outcome',
  'api-key.create',
  'api-key.revoke',
  'alert-subscription.create',
  'alert-subscription.delete',
  'alert-thresholds.update',
  'report.issue',
  'agent.telemetry',
] as const;

/** Agents post a batch every minute or so: hidden unless asked for, so people's changes stay in view. */
const TELEMETRY = 'agent.telemetry';

/** A day picked in the form, as the instant it starts in the reader's zone. */
const dayStart = (day: string): string => (day === '' ? '' : new Date(`${day}T00:00:00`).toISOString());

function Who({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const { actor } = entry;
  if (actor.kind === 'agent') {
    return <span dir="ltr">{t('audit.agentKey', { id: actor.keyId ?? '' })}</span>;
  }
  return (
    <span dir="ltr">
      {actor.email ?? t('common.unknown')}
      {actor.role === null ? null : <span className="muted"> ({t(`audit.roles.${actor.role}`)})</span>}
    </span>
  );
}

/** A change's values, compact: before → after, or what was set. */
function Change({ entry }: { entry: AuditEntry }) {
  const text = (value: unknown): string => JSON.stringify(value);
  if (entry.before === null && entry.after === null) {
    return null;
  }
  return (
    <code dir="ltr" className="audit-change">
      {entry.before === null ? text(entry.after) : `${text(entry.before)} → ${text(entry.after)}`}
    </code>
  );
}

export function AuditPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const [form, setForm] = useState({
    from: '',
    to: '',
    action: '',
    actor: '',
    farm: '',
    hideTelemetry: true,
  });
  const [filter, setFilter] = useState<AuditFilter>({ excludeAction: TELEMETRY });
  const log = useAuditLog(filter);
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];

  const apply = (event: SubmitEvent) => {
    event.preventDefault();
    setFilter({
      ...(form.from === '' ? {} : { from: dayStart(form.from) }),
      // The day picked is included: up to the start of the next.
      ...(form.to === '' ? {} : { to: new Date(Date.parse(dayStart(form.to)) + 86_400_000).toISOString() }),
      ...(form.action === '' ? {} : { action: form.action }),
      ...(form.hideTelemetry && form.action !== TELEMETRY ? { excludeAction: TELEMETRY } : {}),
      ...(form.actor.trim() === '' ? {} : { actor: form.actor.trim() }),
      ...(/^[1-9][0-9]*$/.test(form.farm) ? { farm: form.farm } : {}),
    });
  };
  const field = (name: 'actor' | 'farm') => ({
    name,
    value: form[name],
    onChange: (event: { target: { value: string } }) => {
      setForm({ ...form, [name]: event.target.value });
    },
  });

  return (
    <div className="page">
      <h1>{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <form className="filters" onSubmit={apply} aria-label={t('common.filter')}>
        <label>
          {t('common.from')}
          <DateInput
            name="from"
            value={form.from}
            onChange={(day) => {
              setForm({ ...form, from: day });
            }}
          />
        </label>
        <label>
          {t('common.to')}
          <DateInput
            name="to"
            value={form.to}
            onChange={(day) => {
              setForm({ ...form, to: day });
            }}
          />
        </label>
        <label>
          {t('audit.action')}
          <select
            name="action"
            value={form.action}
            onChange={(event) => {
              setForm({ ...form, action: event.target.value });
            }}
          >
            <option value="">{t('audit.allActions')}</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {t(`audit.actions.${action}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('audit.actor')}
          <input type="text" dir="ltr" placeholder={t('audit.actorHint')} {...field('actor')} />
        </label>
        <label>
          {t('audit.farm')}
          <input type="text" inputMode="numeric" dir="ltr" {...field('farm')} />
        </label>
        <label>
          <input
            type="checkbox"
            name="hide-telemetry"
            checked={form.hideTelemetry}
            onChange={(event) => {
              setForm({ ...form, hideTelemetry: event.target.checked });
            }}
          />
          {t('audit.hideTelemetry')}
        </label>
        <button type="submit">{t('common.filter')}</button>
      </form>
      <Section
        title={t('audit.entries')}
        actions={
          <>
            <a href={auditExportUrl(filter, 'csv')} download>
              {t('audit.exportCsv')}
            </a>{' '}
            <a href={auditExportUrl(filter, 'json')} download>
              {t('audit.exportJson')}
            </a>
          </>
        }
      >
        {log.isPending ? (
          <p aria-busy="true">{t('app.loading')}</p>
        ) : (
          <ListTable
            items={entries}
            empty={t('audit.empty')}
            headers={[
              t('audit.at'),
              t('audit.action'),
              t('audit.actor'),
              t('audit.route'),
              t('audit.ids'),
              t('audit.change'),
            ]}
            row={(entry) => (
              <tr key={entry.id}>
                <td>{format.dateTime(entry.at)}</td>
                <td>{t(`audit.actions.${entry.action}`, { defaultValue: entry.action })}</td>
                <td>
                  <Who entry={entry} />
                </td>
                <td dir="ltr">
                  {entry.method} {entry.route}
                </td>
                <td dir="ltr">
                  {Object.entries(entry.ids)
                    .map(([kind, id]) => `${kind} ${id}`)
                    .join(', ')}
                </td>
                <td>
                  <Change entry={entry} />
                </td>
              </tr>
            )}
          />
        )}
        {log.hasNextPage ? (
          <button
            type="button"
            disabled={log.isFetchingNextPage}
            onClick={() => {
              void log.fetchNextPage();
            }}
          >
            {t('audit.older')}
          </button>
        ) : null}
      </Section>
    </div>
  );
}
