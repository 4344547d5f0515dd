import type { EnergySummary, Farm } from '@hashwatt/schemas';
import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

const DAY_MS = 86_400_000;

export const useRegulatedFarms = () =>
  useQuery({ queryKey: ['regulator', 'farms'], queryFn: () => api<Farm[]>('/regulator/farms') });

/** Each farm's last 30 days, to the hour so that renders within an hour share requests. */
export function useRegulatedEnergy(farmIds: readonly string[], nowMs: number) {
  const to = new Date(Math.floor(nowMs / 3_600_000) * 3_600_000);
  const from = new Date(to.getTime() - 30 * DAY_MS);
  return useQueries({
    queries: farmIds.map((id) => ({
      queryKey: ['regulator', 'energy', id, to.toISOString()],
      queryFn: () =>
        api<EnergySummary>(`/regulator/farms/${id}/energy?from=${from.toISOString()}&to=${to.toISOString()}`),
    })),
  });
}
