import type { Organisation, Role, User, UserCreate } from '@hashwatt/schemas';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConfirm } from '../../../components/ui/confirm-dialog.tsx';
import { FieldError } from '../../../lib/field-error.tsx';
import { notify } from '../../../lib/notify.ts';
import { useCreateUser, useResetTwoFactor, useUpdateUser } from '../api/admin.ts';
import { TextField } from '../../../components/ui/text-field.tsx';

const ROLES: readonly Role[] = ['operator', 'regulator', 'admin'];

/** A role as typed, with what it is bound to: an operator's organisation, a regulator's country and regions. */
interface RoleDraft {
  readonly role: Role;
  readonly organisationId: string;
  readonly country: string;
  readonly regions: string;
}

const draftOf = (user: User | null, organisations: readonly Organisation[]): RoleDraft => ({
  role: user?.role ?? 'operator',
  organisationId: user?.organisationId ?? organisations[0]?.id ?? '',
  country: user?.jurisdiction?.country ?? '',
  regions: user?.jurisdiction?.regions.join(', ') ?? '',
});

/** The role's part of a body: the API refuses a binding the role does not take (HW_ERR_ROLE_MISMATCH). */
function bindingOf(draft: RoleDraft): Pick<UserCreate, 'role' | 'organisationId' | 'jurisdiction'> {
  switch (draft.role) {
    case 'operator':
      return { role: 'operator', organisationId: draft.organisationId };
    case 'regulator':
      return {
        role: 'regulator',
        jurisdiction: {
          country: draft.country.trim().toUpperCase(),
          regions: draft.regions
            .split(/[\s,،]+/)
            .map((region) => region.trim().toUpperCase())
            .filter((region) => region !== ''),
        },
      };
    case 'admin':
      return { role: 'admin' };
  }
}

function RoleFields({
  draft,
  onChange,
  organisations,
  error,
}: {
  draft: RoleDraft;
  onChange: (draft: RoleDraft) => void;
  organisations: readonly Organisation[];
  error: unknown;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t('admin.role')}
        <select
          name="role"
          value={draft.role}
          onChange={(event) => {
            onChange({ ...draft, role: event.target.value as Role });
          }}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`admin.roles.${role}`)}
            </option>
          ))}
        </select>
        <FieldError error={error} path="body.role" />
      </label>
      {draft.role === 'operator' ? (
        <label>
          {t('admin.organisation')}
          <select
            name="organisationId"
            value={draft.organisationId}
            onChange={(event) => {
              onChange({ ...draft, organisationId: event.target.value });
            }}
          >
            {organisations.map((organisation) => (
              <option key={organisation.id} value={organisation.id}>
                {organisation.name}
              </option>
            ))}
          </select>
          <FieldError error={error} path="body.organisationId" />
        </label>
      ) : null}
      {draft.role === 'regulator' ? (
        <>
          <label>
            {t('admin.country')}
            <input
              name="country"
              dir="ltr"
              placeholder="IR"
              required
              value={draft.country}
              onChange={(event) => {
                onChange({ ...draft, country: event.target.value });
              }}
            />
            <FieldError error={error} path="body.jurisdiction.country" />
          </label>
          <label>
            {t('admin.regions')}
            <input
              name="regions"
              dir="ltr"
              placeholder="IR-08, IR-23"
              value={draft.regions}
              onChange={(event) => {
                onChange({ ...draft, regions: event.target.value });
              }}
            />
            <FieldError error={error} path="body.jurisdiction.regions" />
          </label>
        </>
      ) : null}
    </>
  );
}

export function NewUserForm({ organisations }: { organisations: readonly Organisation[] }) {
  const { t } = useTranslation();
  const create = useCreateUser();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [draft, setDraft] = useState<RoleDraft>(() => draftOf(null, organisations));
  const binding =
    draft.organisationId === '' ? { ...draft, organisationId: organisations[0]?.id ?? '' } : draft;
  return (
    <form
      className="inline-form"
      aria-label={t('admin.newUser')}
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(
          { email: email.trim(), name: name.trim(), password, ...bindingOf(binding) },
          {
            onSuccess: (user) => {
              notify(t('admin.userAdded', { email: user.email }));
              setEmail('');
              setName('');
              setPassword('');
            },
          },
        );
      }}
    >
      <TextField
        label={t('admin.email')}
        name="email"
        type="email"
        dir="ltr"
        required
        value={email}
        onValue={setEmail}
        error={create.error}
        path="body.email"
      />
      <TextField
        label={t('admin.name')}
        name="name"
        required
        value={name}
        onValue={setName}
        error={create.error}
        path="body.name"
      />
      <TextField
        label={t('admin.password')}
        name="password"
        type="password"
        autoComplete="new-password"
        required
        value={password}
        onValue={setPassword}
        error={create.error}
        path="body.password"
      />
      <RoleFields draft={binding} onChange={setDraft} organisations={organisations} error={create.error} />
      <button type="submit" disabled={create.isPending}>
        {t('admin.newUser')}
      </button>
    </form>
  );
}

/**
 * One user's row: its role changed (with the new role's binding), disabled or enabled,
 * and its second factor reset; disabling and resetting end its sessions, so both are asked first.
 */
export function UserRow({ user, organisations }: { user: User; organisations: readonly Organisation[] }) {
  const { t } = useTranslation();
  const update = useUpdateUser();
  const resetTwoFactor = useResetTwoFactor();
  const { ask, dialog } = useConfirm();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<RoleDraft>(() => draftOf(user, organisations));
  const organisation = organisations.find((candidate) => candidate.id === user.organisationId);
  return (
    <tr>
      <td dir="ltr">{user.email}</td>
      <td>{user.name}</td>
      <td>
        {editing ? (
          <form
            className="inline-form"
            aria-label={t('admin.changeRoleOf', { email: user.email })}
            onSubmit={(event) => {
              event.preventDefault();
              update.mutate(
                { id: user.id, patch: bindingOf(draft) },
                {
                  onSuccess: (changed) => {
                    notify(
                      t('admin.roleChanged', {
                        email: changed.email,
                        role: t(`admin.roles.${changed.role}`),
                      }),
                    );
                    setEditing(false);
                  },
                },
              );
            }}
          >
            <RoleFields
              draft={draft}
              onChange={setDraft}
              organisations={organisations}
              error={update.error}
            />
            <button type="submit" disabled={update.isPending}>
              {t('common.save')}
            </button>
            <button
              type="button"
              onClick={() => {
                setEditing(false);
              }}
            >
              {t('confirm.cancel')}
            </button>
          </form>
        ) : (
          <>
            {t(`admin.roles.${user.role}`)}
            {organisation === undefined ? null : <span className="muted"> ({organisation.name})</span>}
            {user.jurisdiction === null ? null : (
              <span className="muted" dir="ltr">
                {' '}
                ({[user.jurisdiction.country, ...user.jurisdiction.regions].join(', ')})
              </span>
            )}{' '}
            <button
              type="button"
              onClick={() => {
                setEditing(true);
              }}
            >
              {t('admin.changeRole')}
            </button>
          </>
        )}
      </td>
      <td>
        {user.disabled ? <span className="badge bad">{t('admin.disabled')}</span> : null}{' '}
        <button
          type="button"
          disabled={update.isPending}
          onClick={() => {
            void (async () => {
              if (
                !user.disabled &&
                !(await ask({
                  title: t('admin.disableTitle'),
                  body: t('admin.disableBody', { email: user.email }),
                  confirm: t('admin.disable'),
                }))
              ) {
                return;
              }
              update.mutate(
                { id: user.id, patch: { disabled: !user.disabled } },
                {
                  onSuccess: (changed) => {
                    notify(
                      t(changed.disabled ? 'admin.userDisabled' : 'admin.userEnabled', {
                        email: changed.email,
                      }),
                    );
                  },
                },
              );
            })();
          }}
        >
          {user.disabled ? t('admin.enable') : t('admin.disable')}
        </button>{' '}
        <button
          type="button"
          disabled={resetTwoFactor.isPending}
          onClick={() => {
            void (async () => {
              if (
                await ask({
                  title: t('admin.resetTwoFactor'),
                  body: t('admin.resetTwoFactorConfirm', { email: user.email }),
                  confirm: t('admin.resetTwoFactor'),
                })
              ) {
                resetTwoFactor.mutate(user.id, {
                  onSuccess: () => {
                    notify(t('admin.twoFactorReset', { email: user.email }));
                  },
                });
              }
            })();
          }}
        >
          {t('admin.resetTwoFactor')}
        </button>
        {dialog}
      </td>
    </tr>
  );
}
