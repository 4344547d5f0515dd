import type {
  Organisation,
  PoolSettings,
  PoolSettingsPatch,
  Price,
  PriceCreate,
  User,
  UserCreate,
  UserPatch,
} from '@hashwatt/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const useUsers = () =>
  useQuery({ queryKey: ['admin', 'users'], queryFn: () => api<User[]>('/admin/users') });

export const useOrganisations = () =>
  useQuery({
    queryKey: ['admin', 'organisations'],
    queryFn: () => api<Organisation[]>('/admin/organisations'),
  });

export function useCreateOrganisation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      api<Organisation>('/admin/organisations', { method: 'POST', json: { name } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'organisations'] }),
  });
}

/** Requires (or stops requiring) two-factor sign-in of an organisation's members. */
export function useRequireTwoFactor() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, requireTwoFactor }: { id: string; requireTwoFactor: boolean }) =>
      api<Organisation>(`/admin/organisations/${id}`, { method: 'PATCH', json: { requireTwoFactor } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'organisations'] }),
  });
}

/** Resets a user's second factor (a lost phone and lost recovery codes): the user's sessions end. */
export const useResetTwoFactor = () =>
  useMutation({
    mutationFn: (userId: string) => api<undefined>(`/admin/users/${userId}/two-factor`, { method: 'DELETE' }),
  });

export function useCreateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (user: UserCreate) => api<User>('/admin/users', { method: 'POST', json: user }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

/** Renames, disables or enables a user, or gives it another role with that role's binding. */
export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UserPatch }) =>
      api<User>(`/admin/users/${id}`, { method: 'PATCH', json: patch }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
}

export const usePoolSettings = () =>
  useQuery({ queryKey: ['admin', 'settings'], queryFn: () => api<PoolSettings>('/admin/settings') });

export function useUpdatePoolSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: PoolSettingsPatch) =>
      api<PoolSettings>('/admin/settings', { method: 'PATCH', json: patch }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['admin', 'settings'] }),
  });
}

/** A price or exchange rate entered by hand: recorded with the admin's e-mail as its origin. */
export const useAddPrice = () =>
  useMutation({
    mutationFn: (price: PriceCreate) => api<Price>('/admin/prices', { method: 'POST', json: price }),
  });
