import type { ChartRange, HashrateChart } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getPoolHashrateQueryOptions = (range: ChartRange) =>
  queryOptions({
    queryKey: ['pool', 'hashrate', range],
    queryFn: () => api<HashrateChart>(`/pool/hashrate?range=${range}`),
    refetchInterval: 60_000,
  });

export const usePoolHashrate = (range: ChartRange) => useQuery(getPoolHashrateQueryOptions(range));
