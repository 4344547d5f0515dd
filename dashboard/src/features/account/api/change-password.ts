import type { PasswordChange } from '@hashwatt/schemas';
import { useMutation } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

/** The signed-in user's own password; the API ends the user's other sessions. The form shows failures itself. */
export const useChangePassword = () =>
  useMutation({
    mutationFn: (change: PasswordChange) =>
      api<undefined>('/auth/password', { method: 'POST', json: change, quiet: true }),
  });
