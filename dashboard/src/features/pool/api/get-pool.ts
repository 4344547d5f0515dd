import type { PoolSummary } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getPoolQueryOptions = () =>
  queryOptions({ queryKey: ['pool'], queryFn: () => api<PoolSummary>('/pool'), refetchInterval: 60_000 });

export const usePool = () => useQuery(getPoolQueryOptions());
