import type { LoginAnswer, SessionView } from '@hashwatt/schemas';
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

/** A session of a user who must have a second factor and has none: it may only set one up. */
export function limitedToEnrolment(session: SessionView): boolean {
  return session.twoFactor.required && !session.twoFactor.enabled;
}

/** The password step: a session, or (for a user with a second factor) a challenge for useSecondFactor. */
export function useLogin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) =>
      api<LoginAnswer>('/auth/login', { method: 'POST', json: credentials }),
    onSuccess: (answer) => {
      if ('csrfToken' in answer) {
        setCsrfToken(answer.csrfToken);
        client.setQueryData(sessionQueryOptions.queryKey, answer);
      }
    },
  });
}

/** The second step: the challenge and a code of the authenticator app, or a recovery code. */
export function useSecondFactor() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (answer: { challenge: string; code: string }) =>
      api<SessionView>('/auth/login/two-factor', { method: 'POST', json: answer }),
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
