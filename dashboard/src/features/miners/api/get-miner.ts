import type { HashrateChart, MinerStats } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getMinerQueryOptions = (account: string) =>
  queryOptions({
    queryKey: ['miner', account],
    queryFn: () => api<MinerStats>(`/miners/${encodeURIComponent(account)}`, { quiet: true }),
    retry: false,
  });

export const useMiner = (account: string) =>
  useQuery({ ...getMinerQueryOptions(account), enabled: account !== '' });

export const getMinerHashrateQueryOptions = (account: string) =>
  queryOptions({
    queryKey: ['miner', account, 'hashrate'],
    queryFn: () =>
      api<HashrateChart>(`/miners/${encodeURIComponent(account)}/hashrate?range=day`, { quiet: true }),
    retry: false,
  });

export const useMinerHashrate = (account: string) =>
  useQuery({ ...getMinerHashrateQueryOptions(account), enabled: account !== '' });
