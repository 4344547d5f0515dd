import type {
  AlertDeliveryList,
  AlertSubscription,
  AlertSubscriptionCreate,
  AlertSubscriptionCreated,
  AlertSubscriptionList,
} from '@hashwatt/schemas';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getAlertSubscriptionsQueryOptions = () =>
  queryOptions({
    queryKey: ['alert-subscriptions'],
    queryFn: () => api<AlertSubscriptionList>('/alerts/subscriptions'),
  });

export const useAlertSubscriptions = () => useQuery(getAlertSubscriptionsQueryOptions());

export const getAlertDeliveriesQueryOptions = () =>
  queryOptions({
    queryKey: ['alert-deliveries'],
    queryFn: () => api<AlertDeliveryList>('/alerts/deliveries?limit=100'),
    // Deliveries are retried in the background: the outcomes shown keep up.
    refetchInterval: 30_000,
  });

export const useAlertDeliveries = () => useQuery(getAlertDeliveriesQueryOptions());

export function useCreateAlertSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (subscription: AlertSubscriptionCreate) =>
      api<AlertSubscriptionCreated>('/alerts/subscriptions', { method: 'POST', json: subscription }),
    onSuccess: () => client.invalidateQueries({ queryKey: getAlertSubscriptionsQueryOptions().queryKey }),
  });
}

export function useDeleteAlertSubscription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<AlertSubscription>(`/alerts/subscriptions/${id}`, { method: 'DELETE' }),
    // Its deliveries go with it.
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: getAlertSubscriptionsQueryOptions().queryKey }),
        client.invalidateQueries({ queryKey: getAlertDeliveriesQueryOptions().queryKey }),
      ]),
  });
}
