import type { FarmPower } from '@hashwatt/schemas';
import { queryOptions, useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getPowerQueryOptions = (farmId: string) =>
  queryOptions({
    queryKey: ['farm', farmId, 'power'],
    queryFn: () => api<FarmPower>(`/farms/${farmId}/power`),
    refetchInterval: 60_000,
  });

export const usePower = (farmId: string) => useQuery(getPowerQueryOptions(farmId));

export const usePowerOfFarms = (farmIds: readonly string[]) =>
  useQueries({ queries: farmIds.map((id) => getPowerQueryOptions(id)) });
