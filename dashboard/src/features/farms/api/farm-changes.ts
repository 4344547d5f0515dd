import type {
  AlertThresholdsPatch,
  Curtailment,
  CurtailmentCreate,
  CurtailmentOrderRecorded,
  CurtailmentOrderCreate,
  CurtailmentOrderWithdrawn,
  Farm,
  FarmAlertThresholds,
  FarmCreate,
  FarmPatch,
  RestrictedWindow,
  RestrictedWindowCreate,
  Tariff,
  TariffCreate,
} from '@hashwatt/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

/**
 * A change to a farm, and what it makes stale: the queries under ['farm', id, part] (or
 * everything of the farm, for its profile). Not awaited: the change is done and told at
 * once, and a slow summary (a day of energy) is drawn again when it comes.
 */
function useFarmChange<Input, Output>(
  farmId: string,
  parts: readonly string[],
  request: (input: Input) => Promise<Output>,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: request,
    onSuccess: () => {
      for (const part of parts) {
        void client.invalidateQueries({
          queryKey: part === '' ? ['farm', farmId] : ['farm', farmId, part],
        });
      }
    },
  });
}

export const useTariffs = (farmId: string) =>
  useQuery({
    queryKey: ['farm', farmId, 'tariffs'],
    queryFn: () => api<Tariff[]>(`/farms/${farmId}/tariffs`),
  });

export const useAddTariff = (farmId: string) =>
  useFarmChange(farmId, ['tariffs', 'energy'], (tariff: TariffCreate) =>
    api<Tariff>(`/farms/${farmId}/tariffs`, { method: 'POST', json: tariff }),
  );

export const useReplaceTariff = (farmId: string) =>
  useFarmChange(farmId, ['tariffs', 'energy'], ({ id, tariff }: { id: string; tariff: TariffCreate }) =>
    api<Tariff>(`/farms/${farmId}/tariffs/${id}`, { method: 'PUT', json: tariff }),
  );

export const useDeleteTariff = (farmId: string) =>
  useFarmChange(farmId, ['tariffs', 'energy'], (id: string) =>
    api<undefined>(`/farms/${farmId}/tariffs/${id}`, { method: 'DELETE' }),
  );

export const useAddWindow = (farmId: string) =>
  useFarmChange(farmId, ['windows', 'energy'], (window: RestrictedWindowCreate) =>
    api<RestrictedWindow>(`/farms/${farmId}/restricted-windows`, { method: 'POST', json: window }),
  );

export const useDeleteWindow = (farmId: string) =>
  useFarmChange(farmId, ['windows', 'energy'], (id: string) =>
    api<undefined>(`/farms/${farmId}/restricted-windows/${id}`, { method: 'DELETE' }),
  );

export const useAddOrder = (farmId: string) =>
  useFarmChange(farmId, ['orders', 'commands'], (order: CurtailmentOrderCreate) =>
    api<CurtailmentOrderRecorded>(`/farms/${farmId}/curtailment-orders`, { method: 'POST', json: order }),
  );

export const useWithdrawOrder = (farmId: string) =>
  useFarmChange(farmId, ['orders', 'commands'], (id: string) =>
    api<CurtailmentOrderWithdrawn>(`/farms/${farmId}/curtailment-orders/${id}`, { method: 'DELETE' }),
  );

export const useCurtail = (farmId: string) =>
  useFarmChange(farmId, ['commands', 'devices'], (curtailment: CurtailmentCreate) =>
    api<Curtailment>(`/farms/${farmId}/curtailment`, { method: 'POST', json: curtailment }),
  );

export const useUpdateFarm = (farmId: string) =>
  useFarmChange(farmId, [''], (patch: FarmPatch) =>
    api<Farm>(`/farms/${farmId}`, { method: 'PATCH', json: patch }),
  );

export const useAlertThresholds = (farmId: string) =>
  useQuery({
    queryKey: ['farm', farmId, 'alert-thresholds'],
    queryFn: () => api<FarmAlertThresholds>(`/farms/${farmId}/alert-thresholds`),
  });

// The device listing's hashrate-gap flag follows the farm's threshold.
export const useUpdateAlertThresholds = (farmId: string) =>
  useFarmChange(farmId, ['alert-thresholds', 'devices'], (patch: AlertThresholdsPatch) =>
    api<FarmAlertThresholds>(`/farms/${farmId}/alert-thresholds`, { method: 'PATCH', json: patch }),
  );

export function useCreateFarm(organisationId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (farm: FarmCreate) =>
      api<Farm>(`/organisations/${organisationId}/farms`, { method: 'POST', json: farm }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['farms'] }),
  });
}
