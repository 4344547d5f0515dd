import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Section } from '../../../components/ui/stat.tsx';
import { useFormat } from '../../../lib/format.ts';
import { notify } from '../../../lib/notify.ts';
import {
  useCreateOrganisation,
  useOrganisations,
  usePoolSettings,
  useRequireTwoFactor,
  useUsers,
} from '../api/admin.ts';
import { PoolSettingsForm, PriceForm } from './pool-forms.tsx';
import { NewUserForm, UserRow } from './user-forms.tsx';
import { TextField } from '../../../components/ui/text-field.tsx';

function Organisations() {
  const { t } = useTranslation();
  const format = useFormat();
  const { data: organisations = [] } = useOrganisations();
  const create = useCreateOrganisation();
  const requireTwoFactor = useRequireTwoFactor();
  const [name, setName] = useState('');
  return (
    <Section title={t('admin.organisations')}>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(name.trim(), {
            onSuccess: (organisation) => {
              notify(t('admin.organisationAdded', { name: organisation.name }));
              setName('');
            },
          });
        }}
      >
        <TextField
          label={t('admin.newOrganisation')}
          name="name"
          value={name}
          onValue={setName}
          error={create.error}
          path="body.name"
        />
        <button type="submit" disabled={name.trim() === '' || create.isPending}>
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
  );
}

export function AdminPage() {
  const { t } = useTranslation();
  const { data: users = [] } = useUsers();
  const { data: organisations = [] } = useOrganisations();
  const { data: settings } = usePoolSettings();
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
              <th>{t('admin.access')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <UserRow key={user.id} user={user} organisations={organisations} />
            ))}
          </tbody>
        </table>
        <h3>{t('admin.newUser')}</h3>
        <NewUserForm organisations={organisations} />
      </Section>
      <Organisations />
      <Section title={t('admin.settings')}>
        {settings === undefined ? (
          <p aria-busy="true">{t('app.loading')}</p>
        ) : (
          <PoolSettingsForm settings={settings} />
        )}
      </Section>
      <Section title={t('admin.prices')}>
        <PriceForm />
      </Section>
    </div>
  );
}
