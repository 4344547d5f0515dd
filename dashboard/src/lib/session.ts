import type { SessionView } from '@hashwatt/schemas';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken } from './api-client.ts';

/** The signed-in user, or null; the CSRF token travels with it. */
export const sessionQueryOptions = queryOptions({
  queryKey: ['session'],
  queryFn: async (): Promise<SessionView | null> => {
    const { session } = await api<{ session: SessionView | null }>('/auth/current');
    setCsrfToken(session?.csrfToken);
    return session;
  },
  staleTime: 60_000,
});

export function useSession(): SessionView | null | undefined {
  return useQuery(sessionQueryOptions).data;
}

export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      api<SessionView>('/auth/login', { method: 'POST', json: credentials }),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      client.setQueryData(sessionQueryOptions.queryKey, session);
    },
  });
}

export function useLogout() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api<undefined>('/auth/logout', { method: 'POST' }),
    onSettled: () => {
      setCsrfToken(undefined);
      client.clear();
      client.setQueryData(sessionQueryOptions.queryKey, null);
    },
  });
}
