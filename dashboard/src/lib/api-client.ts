import { env } from '../config/env.ts';

/** An answer of the API that is not 2xx: its stable code (docs/errors.md), message and field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type ErrorListener = (error: ApiError) => void;
const listeners = new Set<ErrorListener>();

/** The toaster listens here: every failed call is shown once, by its code. */
export function onApiError(listener: ErrorListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

let csrfToken: string | undefined;

/** Sent as x-csrf-token with every change, as the API asks of signed-in users. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** JSON body. */
  readonly json?: unknown;
  /** A file sent as it is. */
  readonly file?: Blob;
  /** Failures the caller handles itself are not toasted (a 401 while checking the session). */
  readonly quiet?: boolean;
}

export function apiUrl(path: string): string {
  return `${env.apiBase}/api${path}`;
}

export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = {};
  if (method !== 'GET' && csrfToken !== undefined) {
    headers['x-csrf-token'] = csrfToken;
  }
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.file !== undefined) {
    headers['content-type'] = options.file.type === '' ? 'application/octet-stream' : options.file.type;
    body = options.file;
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body }),
    });
  } catch (cause) {
    const error = new ApiError(0, 'HW_ERR_NETWORK', 'The pool did not answer.');
    error.cause = cause;
    if (options.quiet !== true) {
      listeners.forEach((listener) => {
        listener(error);
      });
    }
    throw error;
  }
  if (response.status === 204) {
    return undefined as T;
  }
  const text = await response.text();
  const parsed: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const {
      error: code = 'HW_ERR_INTERNAL',
      message = response.statusText,
      field,
    } = (parsed ?? {}) as {
      error?: string;
      message?: string;
      field?: string;
    };
    const error = new ApiError(response.status, code, message, field);
    if (options.quiet !== true) {
      listeners.forEach((listener) => {
        listener(error);
      });
    }
    throw error;
  }
  return parsed as T;
}
