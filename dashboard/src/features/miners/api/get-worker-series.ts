import type { SeriesRange, WorkerSeries } from '@hashwatt/schemas';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getWorkerSeriesQueryOptions = (account: string, worker: string, range: SeriesRange) =>
  queryOptions({
    queryKey: ['miner', account, 'worker', worker, 'series', range],
    queryFn: () =>
      api<WorkerSeries>(
        `/miners/${encodeURIComponent(account)}/workers/${encodeURIComponent(worker)}/series?range=${range}`,
        { quiet: true },
      ),
    retry: false,
  });

export const useWorkerSeries = (account: string, worker: string, range: SeriesRange) =>
  useQuery({ ...getWorkerSeriesQueryOptions(account, worker, range), placeholderData: keepPreviousData });
