import type { CurtailmentOrder, EnergySummary, RestrictedWindow } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

const DAY_MS = 86_400_000;

/** The last day, to the minute, so that one minute's renders share one request. */
export const getEnergyQueryOptions = (farmId: string, nowMs: number) => {
  const to = new Date(Math.floor(nowMs / 60_000) * 60_000);
  const from = new Date(to.getTime() - DAY_MS);
  return queryOptions({
    queryKey: ['farm', farmId, 'energy', to.toISOString()],
    queryFn: () =>
      api<EnergySummary>(`/farms/${farmId}/energy?from=${from.toISOString()}&to=${to.toISOString()}`),
  });
};

export const useEnergy = (farmId: string, nowMs: number) => useQuery(getEnergyQueryOptions(farmId, nowMs));

export const useWindows = (farmId: string) =>
  useQuery({
    queryKey: ['farm', farmId, 'windows'],
    queryFn: () => api<RestrictedWindow[]>(`/farms/${farmId}/restricted-windows`),
  });

export const useOrders = (farmId: string) =>
  useQuery({
    queryKey: ['farm', farmId, 'orders'],
    queryFn: () => api<CurtailmentOrder[]>(`/farms/${farmId}/curtailment-orders`),
  });
