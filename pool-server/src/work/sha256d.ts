import { hash } from 'node:crypto';

/** One SHA-256. crypto.hash is the one-shot form: no Hash object per call. */
export function sha256(data: Uint8Array): Buffer {
  return hash('sha256', data, 'buffer');
}

/** SHA256(SHA256(data)), in internal byte order. */
export function sha256d(data: Uint8Array): Buffer {
  return hash('sha256', hash('sha256', data, 'buffer'), 'buffer');
}
