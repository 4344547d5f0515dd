import type { Farm, SessionView } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

/** An operator's organisation's farms; every farm for an admin. */
export const getFarmsQueryOptions = (user: SessionView['user']) =>
  queryOptions({
    queryKey: ['farms', user.organisationId ?? 'all'],
    queryFn: () =>
      api<Farm[]>(
        user.organisationId === null ? '/regulator/farms' : `/organisations/${user.organisationId}/farms`,
      ),
  });

export const useFarms = (user: SessionView['user']) => useQuery(getFarmsQueryOptions(user));

export const getFarmQueryOptions = (id: string) =>
  queryOptions({ queryKey: ['farm', id], queryFn: () => api<Farm>(`/farms/${id}`) });

export const useFarm = (id: string) => useQuery(getFarmQueryOptions(id));
