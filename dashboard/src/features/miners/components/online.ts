/** A worker with no accepted share in the last ten minutes is offline. */
export const ONLINE_MS = 10 * 60_000;
