import type { RecoveryCodes, TwoFactorEnrolment, TwoFactorProof, TwoFactorStatus } from '@hashwatt/schemas';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';
import { sessionQueryOptions } from '../../../lib/session.ts';

export const getTwoFactorQueryOptions = () =>
  queryOptions({
    queryKey: ['account', 'two-factor'],
    queryFn: () => api<TwoFactorStatus>('/auth/two-factor'),
  });

export const useTwoFactor = () => useQuery(getTwoFactorQueryOptions());

/** What changes the second factor also changes the session's view of it. */
function useRefresh() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: getTwoFactorQueryOptions().queryKey }),
      client.invalidateQueries({ queryKey: sessionQueryOptions.queryKey }),
    ]);
}

export const useStartEnrolment = () =>
  useMutation({
    mutationFn: () => api<TwoFactorEnrolment>('/auth/two-factor/enrolment', { method: 'POST' }),
  });

export function useConfirmEnrolment() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (code: string) =>
      api<RecoveryCodes>('/auth/two-factor/enrolment/confirm', { method: 'POST', json: { code } }),
    onSuccess: refresh,
  });
}

export function useRenewRecoveryCodes() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (proof: TwoFactorProof) =>
      api<RecoveryCodes>('/auth/two-factor/recovery-codes', { method: 'POST', json: proof }),
    onSuccess: refresh,
  });
}

export function useDisableTwoFactor() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (proof: TwoFactorProof) =>
      api<undefined>('/auth/two-factor/disable', { method: 'POST', json: proof }),
    onSuccess: refresh,
  });
}
