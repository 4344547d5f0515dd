import type { Organisation, SessionView } from '@hashwatt/schemas';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../../../lib/api-client.ts';
import { notify } from '../../../lib/notify.ts';
import { useCreateFarm } from '../api/farm-changes.ts';
import { TextField } from '../../../components/ui/text-field.tsx';

/** The organisations an admin may add a farm to; an operator adds to its own. */
const useOrganisationChoices = (enabled: boolean) =>
  useQuery({
    queryKey: ['admin', 'organisations'],
    queryFn: () => api<Organisation[]>('/admin/organisations'),
    enabled,
  });

/** A new farm, by name: its profile and licence are set on its own page. */
export function NewFarmForm({ user }: { user: SessionView['user'] }) {
  const { t } = useTranslation();
  const isAdmin = user.role === 'admin';
  const { data: organisations = [] } = useOrganisationChoices(isAdmin);
  const [organisationId, setOrganisationId] = useState(user.organisationId ?? '');
  const chosen = organisationId === '' ? (organisations[0]?.id ?? '') : organisationId;
  const create = useCreateFarm(chosen);
  const [name, setName] = useState('');
  return (
    <>
      <form
        className="inline-form"
        aria-label={t('farmProfile.newFarm')}
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(
            { name: name.trim() },
            {
              onSuccess: (farm) => {
                notify(t('farmProfile.farmAdded', { name: farm.name }));
                setName('');
              },
            },
          );
        }}
      >
        {isAdmin ? (
          <label>
            {t('farmProfile.organisation')}
            <select
              name="organisation"
              value={chosen}
              onChange={(event) => {
                setOrganisationId(event.target.value);
              }}
            >
              {organisations.map((organisation) => (
                <option key={organisation.id} value={organisation.id}>
                  {organisation.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <TextField
          label={t('farmProfile.name')}
          name="name"
          required
          value={name}
          onValue={setName}
          error={create.error}
          path="body.name"
        />
        <button type="submit" disabled={create.isPending || chosen === '' || name.trim() === ''}>
          {t('common.create')}
        </button>
      </form>
      {create.data ? (
        <p role="status">
          <Link to={`/farms/${create.data.id}`}>
            {t('farmProfile.setUpNext', { name: create.data.name })}
          </Link>
        </p>
      ) : null}
    </>
  );
}
