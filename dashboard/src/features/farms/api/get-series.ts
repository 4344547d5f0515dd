import type { DeviceSeries, FarmSeries, SeriesRange } from '@hashwatt/schemas';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

/** A bucket is 5 minutes at the shortest: asking more often than that finds nothing new. */
const REFRESH_MS = 5 * 60_000;

export const getDeviceSeriesQueryOptions = (farmId: string, deviceId: string, range: SeriesRange) =>
  queryOptions({
    queryKey: ['farm', farmId, 'devices', deviceId, 'series', range],
    queryFn: () => api<DeviceSeries>(`/farms/${farmId}/devices/${deviceId}/series?range=${range}`),
    refetchInterval: REFRESH_MS,
  });

export const useDeviceSeries = (farmId: string, deviceId: string, range: SeriesRange) =>
  useQuery({ ...getDeviceSeriesQueryOptions(farmId, deviceId, range), placeholderData: keepPreviousData });

export const getFarmSeriesQueryOptions = (farmId: string, range: SeriesRange) =>
  queryOptions({
    queryKey: ['farm', farmId, 'series', range],
    queryFn: () => api<FarmSeries>(`/farms/${farmId}/series?range=${range}`),
    refetchInterval: REFRESH_MS,
  });

export const useFarmSeries = (farmId: string, range: SeriesRange) =>
  useQuery({ ...getFarmSeriesQueryOptions(farmId, range), placeholderData: keepPreviousData });
