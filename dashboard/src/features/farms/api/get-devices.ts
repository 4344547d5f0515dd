import type { FarmDevice } from '@hashwatt/schemas';
import { queryOptions, useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getDevicesQueryOptions = (farmId: string) =>
  queryOptions({
    queryKey: ['farm', farmId, 'devices'],
    queryFn: () => api<FarmDevice[]>(`/farms/${farmId}/devices`),
    refetchInterval: 60_000,
  });

export const useDevices = (farmId: string) => useQuery(getDevicesQueryOptions(farmId));

export const useDevicesOfFarms = (farmIds: readonly string[]) =>
  useQueries({ queries: farmIds.map((id) => getDevicesQueryOptions(id)) });
