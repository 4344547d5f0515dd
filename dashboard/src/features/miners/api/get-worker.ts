import type { WorkerStats } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getWorkerQueryOptions = (account: string, worker: string) =>
  queryOptions({
    queryKey: ['miner', account, 'worker', worker],
    queryFn: () =>
      api<WorkerStats>(`/miners/${encodeURIComponent(account)}/workers/${encodeURIComponent(worker)}`, {
        quiet: true,
      }),
    retry: false,
  });

export const useWorker = (account: string, worker: string) =>
  useQuery(getWorkerQueryOptions(account, worker));
