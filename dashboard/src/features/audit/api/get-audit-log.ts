import type { AuditExportFormat, AuditFilter, AuditPage } from '@hashwatt/schemas';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, apiUrl } from '../../../lib/api-client.ts';

/** Entries a page: enough to read, few enough that the first answer is quick. */
const PAGE_SIZE = 50;

/** The filter as a query string, unset fields left out. */
export function auditQuery(filter: AuditFilter, extra: Record<string, string> = {}): string {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    if (typeof value === 'string' && value !== '') {
      parameters.set(key, value);
    }
  }
  return parameters.toString();
}

/** The newest entries the filter matches, then older ones a page at a time. */
export const getAuditLogQueryOptions = (filter: AuditFilter) =>
  infiniteQueryOptions({
    queryKey: ['audit-log', filter],
    queryFn: ({ pageParam }) =>
      api<AuditPage>(
        `/audit-log?${auditQuery(filter, { limit: String(PAGE_SIZE), ...(pageParam === null ? {} : { cursor: pageParam }) })}`,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
  });

export const useAuditLog = (filter: AuditFilter) => useInfiniteQuery(getAuditLogQueryOptions(filter));

/** The export of everything the filter matches: a download link, sent with the session cookie. */
export const auditExportUrl = (filter: AuditFilter, format: AuditExportFormat): string =>
  apiUrl(`/audit-log/export?${auditQuery(filter, { format })}`);
