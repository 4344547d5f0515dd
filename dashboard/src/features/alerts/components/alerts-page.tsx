import type { AlertChannel, AlertRule, AlertSubscriptionCreate, SessionView } from '@hashwatt/schemas';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { ListTable } from '../../../components/ui/list-table.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { LANGUAGES, type Language } from '../../../i18n/index.ts';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import {
  useAlertDeliveries,
  useAlertSubscriptions,
  useCreateAlertSubscription,
  useDeleteAlertSubscription,
} from '../api/alerts.ts';

/**
 * The rules the pool evaluates (pool-server/src/alerts/rules.ts), in the order offered: a
 * record over the schema's union, so that a rule added there fails the type check here.
 */
const OFFERED: Record<AlertRule, true> = {
  'device-silent': true,
  'worker-silent': true,
  'temperature-high': true,
  'temperature-low': true,
  'fan-high': true,
  'fan-low': true,
  'hashrate-gap': true,
  'window-starting': true,
  'curtailment-issued': true,
  'curtailment-violated': true,
  'block-found': true,
  'payout-sent': true,
  'timescale-job-failing': true,
  'ledger-lag': true,
};
const RULES = Object.keys(OFFERED) as AlertRule[];
const CHANNELS: readonly AlertChannel[] = ['webhook', 'email', 'telegram'];

function Toggle({
  name,
  checked,
  onChange,
  children,
}: {
  name: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
}) {
  return (
    <label>
      <input
        type="checkbox"
        name={name}
        checked={checked}
        onChange={(event) => {
          onChange(event.target.checked);
        }}
      />
      {children}
    </label>
  );
}

function SubscribeForm({ user }: { user: SessionView['user'] }) {
  const { t, i18n } = useTranslation();
  const create = useCreateAlertSubscription();
  const [channel, setChannel] = useState<AlertChannel>('email');
  const [target, setTarget] = useState('');
  const [rules, setRules] = useState<readonly AlertRule[]>(['device-silent', 'temperature-high']);
  const [sendResolved, setSendResolved] = useState(false);
  // Messages in the language the subscriber reads the dashboard in, unless they choose another.
  const [language, setLanguage] = useState<Language>(
    LANGUAGES.find((known) => known === i18n.language) ?? 'en',
  );
  const [forOrganisation, setForOrganisation] = useState(false);
  const organisationId = user.role === 'operator' ? user.organisationId : null;
  const secret = create.data?.webhookSecret ?? null;

  return (
    <>
      <form
        className="inline-form"
        aria-label={t('alerts.subscribe')}
        onSubmit={(event) => {
          event.preventDefault();
          const subscription: AlertSubscriptionCreate = {
            channel,
            target: target.trim(),
            rules: [...rules],
            sendResolved,
            language,
            ...(forOrganisation && organisationId !== null ? { organisationId } : {}),
          };
          create.mutate(subscription, {
            onSuccess: () => {
              setTarget('');
            },
          });
        }}
      >
        <label>
          {t('alerts.channel')}
          <select
            name="channel"
            value={channel}
            onChange={(event) => {
              setChannel(event.target.value as AlertChannel);
            }}
          >
            {CHANNELS.map((option) => (
              <option key={option} value={option}>
                {t(`alerts.channels.${option}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.target')}
          <input
            name="target"
            type="text"
            dir="ltr"
            required
            placeholder={t(`alerts.targetHints.${channel}`)}
            value={target}
            onChange={(event) => {
              setTarget(event.target.value);
            }}
          />
        </label>
        <label>
          {t('alerts.language')}
          <select
            name="language"
            value={language}
            onChange={(event) => {
              setLanguage(LANGUAGES.find((known) => known === event.target.value) ?? 'en');
            }}
          >
            {LANGUAGES.map((option) => (
              <option key={option} value={option}>
                {t(`app.languages.${option}`)}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>{t('alerts.rulesTitle')}</legend>
          {RULES.map((rule) => (
            <label key={rule}>
              <input
                type="checkbox"
                name="rule"
                value={rule}
                checked={rules.includes(rule)}
                onChange={(event) => {
                  setRules(event.target.checked ? [...rules, rule] : rules.filter((kept) => kept !== rule));
                }}
              />
              {t(`alerts.rules.${rule}`)}
            </label>
          ))}
        </fieldset>
        <Toggle name="sendResolved" checked={sendResolved} onChange={setSendResolved}>
          {t('alerts.sendResolved')}
        </Toggle>
        {organisationId === null ? null : (
          <Toggle name="forOrganisation" checked={forOrganisation} onChange={setForOrganisation}>
            {t('alerts.forOrganisation')}
          </Toggle>
        )}
        <button type="submit" disabled={create.isPending || rules.length === 0 || target.trim() === ''}>
          {t('common.create')}
        </button>
      </form>
      {secret === null ? null : (
        <p role="status">
          {t('alerts.secretOnce')} <code dir="ltr">{secret}</code>
        </p>
      )}
    </>
  );
}

export function AlertsPage({ user }: { user: SessionView['user'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: subscriptions } = useAlertSubscriptions();
  const { data: deliveries } = useAlertDeliveries();
  const remove = useDeleteAlertSubscription();
  const { ask, dialog } = useConfirm();

  return (
    <div className="page">
      <h1>{t('alerts.title')}</h1>
      <p className="muted">{t('alerts.intro')}</p>
      <Section title={t('alerts.subscribe')}>
        <SubscribeForm user={user} />
      </Section>
      <Section title={t('alerts.subscriptions')}>
        <ListTable
          items={subscriptions?.items ?? []}
          empty={t('common.none')}
          headers={[t('alerts.channel'), t('alerts.target'), t('alerts.rulesTitle'), t('alerts.owner'), '']}
          row={(subscription) => (
            <tr key={subscription.id}>
              <td>{t(`alerts.channels.${subscription.channel}`)}</td>
              <td dir="ltr">{subscription.target}</td>
              <td>{subscription.rules.map((rule) => t(`alerts.rules.${rule}`)).join(', ')}</td>
              <td>{subscription.organisationId === null ? t('alerts.own') : t('alerts.organisation')}</td>
              <td>
                <button
                  type="button"
                  disabled={remove.isPending}
                  aria-label={t('alerts.deleteOne', { target: subscription.target })}
                  onClick={() => {
                    void (async () => {
                      if (
                        await ask({
                          title: t('alerts.deleteTitle'),
                          body: t('alerts.deleteBody', { target: subscription.target }),
                          confirm: t('alerts.delete'),
                        })
                      ) {
                        remove.mutate(subscription.id, {
                          onSuccess: () => {
                            notify(t('alerts.deleted', { target: subscription.target }));
                          },
                        });
                      }
                    })();
                  }}
                >
                  {t('alerts.delete')}
                </button>
              </td>
            </tr>
          )}
        />
      </Section>
      {dialog}
      <Section title={t('alerts.deliveries')}>
        <ListTable
          items={deliveries?.items ?? []}
          empty={t('common.none')}
          headers={[t('alerts.when'), t('alerts.channel'), t('alerts.alert'), t('alerts.outcome')]}
          row={(delivery) => (
            <tr key={delivery.id}>
              <td>{format.dateTime(delivery.sentAt ?? delivery.createdAt)}</td>
              <td>{t(`alerts.channels.${delivery.channel}`)}</td>
              <td>
                {delivery.notice === 'resolved' ? `${t('alerts.resolved')}: ` : ''}
                {delivery.summary}
              </td>
              <td>
                {t(`alerts.statuses.${delivery.status}`, { count: delivery.attempts })}
                {delivery.lastError === null ? null : (
                  <span className="muted" dir="ltr">
                    {' '}
                    ({delivery.lastError})
                  </span>
                )}
              </td>
            </tr>
          )}
        />
      </Section>
    </div>
  );
}
