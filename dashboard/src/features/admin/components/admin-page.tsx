import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import {
  useCreateOrganisation,
  useOrganisations,
  useRequireTwoFactor,
  useResetTwoFactor,
  useUsers,
} from '../api/admin.ts';

export function AdminPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: users = [] } = useUsers();
  const { data: organisations = [] } = useOrganisations();
  const create = useCreateOrganisation();
  const requireTwoFactor = useRequireTwoFactor();
  const resetTwoFactor = useResetTwoFactor();
  const [name, setName] = useState('');
  return (
    <div className="page">
      <h1>{t('admin.title')}</h1>
      <Section title={t('admin.users')}>
        <table>
          <thead>
            <tr>
              <th>{t('admin.email')}</th>
              <th>{t('admin.name')}</th>
              <th>{t('admin.role')}</th>
              <th>{t('admin.twoFactor')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td dir="ltr">{user.email}</td>
                <td>{user.name}</td>
                <td>{t(`admin.roles.${user.role}`)}</td>
                <td>
                  <button
                    type="button"
                    disabled={resetTwoFactor.isPending}
                    onClick={() => {
                      if (window.confirm(t('admin.resetTwoFactorConfirm', { email: user.email }))) {
                        resetTwoFactor.mutate(user.id);
                      }
                    }}
                  >
                    {t('admin.resetTwoFactor')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
      <Section title={t('admin.organisations')}>
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate(name.trim(), {
              onSuccess: () => {
                setName('');
              },
            });
          }}
        >
          <input
            aria-label={t('admin.newOrganisation')}
            placeholder={t('admin.newOrganisation')}
            value={name}
            onChange={(event) => {
              setName(event.target.value);
            }}
          />
          <button type="submit" disabled={name.trim() === ''}>
            {t('common.create')}
          </button>
        </form>
        <ul>
          {organisations.map((organisation) => (
            <li key={organisation.id}>
              {organisation.name} <span className="muted">{format.date(organisation.createdAt)}</span>{' '}
              <label>
                <input
                  type="checkbox"
                  checked={organisation.requireTwoFactor}
                  disabled={requireTwoFactor.isPending}
                  onChange={(event) => {
                    requireTwoFactor.mutate({ id: organisation.id, requireTwoFactor: event.target.checked });
                  }}
                />{' '}
                {t('admin.requireTwoFactor')}
              </label>
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
