import type { FarmDevice } from '@hashwatt/schemas';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

/** One device, not the farm's whole list: a farm of thousands loads one row for a device's page. */
export const getDeviceQueryOptions = (farmId: string, deviceId: string) =>
  queryOptions({
    queryKey: ['farm', farmId, 'devices', deviceId],
    queryFn: () => api<FarmDevice>(`/farms/${farmId}/devices/${deviceId}`, { quiet: true }),
    refetchInterval: 60_000,
    retry: false,
  });

export const useDevice = (farmId: string, deviceId: string) =>
  useQuery(getDeviceQueryOptions(farmId, deviceId));
