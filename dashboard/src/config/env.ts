/**
 * Build-time settings, checked once when the app loads: a wrong value stops it with a
 * message naming the variable, not with requests to nowhere.
 */
function apiBase(): string {
  const value: unknown = import.meta.env.VITE_API_BASE ?? '';
  if (typeof value !== 'string' || (value !== '' && !/^https?:\/\/[^/]+$/.test(value))) {
    throw new Error(
      `VITE_API_BASE must be empty (same origin) or an origin such as https://pool.example, not ${String(value)}`,
    );
  }
  return value;
}

export const env = { apiBase: apiBase() } as const;
