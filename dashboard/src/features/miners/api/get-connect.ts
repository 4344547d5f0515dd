import type { ConnectInfo } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getConnectQueryOptions = () =>
  queryOptions({
    queryKey: ['pool', 'connect'],
    queryFn: () => api<ConnectInfo>('/pool/connect'),
    // The ports change only when the pool restarts with another configuration.
    staleTime: 5 * 60_000,
  });

export const useConnect = () => useQuery(getConnectQueryOptions());
