import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { Section } from '../../../components/ui/stat.tsx';
import { notify } from '../../../lib/notify.ts';
import { useFormat } from '../../../lib/format.ts';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../api/device-actions.ts';

/** A farm's agent keys: made here (the key is shown once), revoked here. */
export function ApiKeys({ farmId }: { farmId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: keys = [] } = useApiKeys(farmId);
  const create = useCreateApiKey(farmId);
  const revoke = useRevokeApiKey(farmId);
  const { ask, dialog } = useConfirm();
  const [label, setLabel] = useState('');
  return (
    <Section title={t('farms.apiKeys')}>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(label.trim(), {
            onSuccess: () => {
              setLabel('');
            },
          });
        }}
      >
        <input
          aria-label={t('farms.keyLabel')}
          placeholder={t('farms.keyLabel')}
          value={label}
          onChange={(event) => {
            setLabel(event.target.value);
          }}
        />
        <button type="submit" disabled={label.trim() === '' || create.isPending}>
          {t('common.create')}
        </button>
      </form>
      {create.data ? (
        <p role="status">
          {t('farms.keyShownOnce')}{' '}
          <code className="mono" dir="ltr">
            {create.data.key}
          </code>
        </p>
      ) : null}
      <table>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id}>
              <td>{key.label}</td>
              <td className="mono" dir="ltr">
                {key.prefix}…
              </td>
              <td>{format.dateTime(key.createdAt)}</td>
              <td>
                {key.revokedAt === null ? (
                  <button
                    type="button"
                    onClick={() => {
                      void (async () => {
                        if (
                          await ask({
                            title: t('farms.revokeTitle'),
                            body: t('farms.revokeBody', { label: key.label }),
                            confirm: t('farms.revoke'),
                          })
                        ) {
                          revoke.mutate(key.id, {
                            onSuccess: () => {
                              notify(t('farms.keyRevoked', { label: key.label }));
                            },
                          });
                        }
                      })();
                    }}
                  >
                    {t('farms.revoke')}
                  </button>
                ) : (
                  t('farms.revoked', { date: format.date(key.revokedAt) })
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {dialog}
    </Section>
  );
}
