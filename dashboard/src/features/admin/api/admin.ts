import type { Organisation, User } from '@hashwatt/schemas';
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
