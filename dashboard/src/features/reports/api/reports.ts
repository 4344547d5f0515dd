import type { Farm, Report, ReportRequest, ReportVerification, SessionView } from '@hashwatt/schemas';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../lib/api-client.ts';

export const getReportsQueryOptions = () =>
  queryOptions({ queryKey: ['reports'], queryFn: () => api<Report[]>('/reports') });

export const useReports = () => useQuery(getReportsQueryOptions());

/** The farms a report may be asked for: an operator's own, a regulator's jurisdiction's, all for an admin. */
export const useReportableFarms = (user: SessionView['user']) =>
  useQuery({
    queryKey: ['reportable-farms', user.id],
    queryFn: () =>
      api<Farm[]>(
        user.role === 'operator' && user.organisationId !== null
          ? `/organisations/${user.organisationId}/farms`
          : '/regulator/farms',
      ),
  });

export function useIssueReport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (request: ReportRequest) => api<Report>('/reports', { method: 'POST', json: request }),
    onSuccess: () => client.invalidateQueries({ queryKey: getReportsQueryOptions().queryKey }),
  });
}

export const useVerifyReport = () =>
  useMutation({
    mutationFn: (file: File) => api<ReportVerification>('/reports/verify', { method: 'POST', file }),
  });
