import type {
  ActionParams,
  ApiKey,
  ApiKeyCreated,
  DeviceAction,
  DeviceCommand,
  DevicePatch,
  FarmDevice,
} from '@hashwatt/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';
import { getDevicesQueryOptions } from './get-devices.ts';

export function useUpdateDevice(farmId: string, deviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (patch: DevicePatch) =>
      api<FarmDevice>(`/farms/${farmId}/devices/${deviceId}`, { method: 'PATCH', json: patch }),
    onSuccess: () => client.invalidateQueries({ queryKey: getDevicesQueryOptions(farmId).queryKey }),
  });
}

/** While a command is under way the agent reports within seconds: asked again this often until it ends. */
const UNDER_WAY_POLL_MS = 3_000;

/** A farm's commands; polled while `underWay` says one of those the page shows has not ended. */
export const useCommands = (farmId: string, underWay?: (commands: readonly DeviceCommand[]) => boolean) =>
  useQuery({
    queryKey: ['farm', farmId, 'commands'],
    // The most the API lists: a farm-wide sleep of up to 1,000 devices is followed to its end.
    queryFn: () => api<DeviceCommand[]>(`/farms/${farmId}/commands?limit=1000`),
    refetchInterval: (query) => (underWay?.(query.state.data ?? []) === true ? UNDER_WAY_POLL_MS : false),
  });

export function useSendCommand(farmId: string, deviceId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (order: { readonly action: DeviceAction; readonly params?: ActionParams }) =>
      api<DeviceCommand>(`/farms/${farmId}/devices/${deviceId}/commands`, {
        method: 'POST',
        json: order,
      }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['farm', farmId, 'commands'] }),
  });
}

export const useApiKeys = (farmId: string) =>
  useQuery({
    queryKey: ['farm', farmId, 'api-keys'],
    queryFn: () => api<ApiKey[]>(`/farms/${farmId}/api-keys`),
  });

export function useCreateApiKey(farmId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (label: string) =>
      api<ApiKeyCreated>(`/farms/${farmId}/api-keys`, { method: 'POST', json: { label } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['farm', farmId, 'api-keys'] }),
  });
}

export function useRevokeApiKey(farmId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => api<ApiKey>(`/farms/${farmId}/api-keys/${keyId}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['farm', farmId, 'api-keys'] }),
  });
}
