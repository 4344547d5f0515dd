/** Where a miner's raw-TCP API answers, and how long and how much it may take. */
export interface RpcTarget {
  readonly host: string;
  readonly port: number;
}

export interface RpcLimits {
  readonly connectTimeoutMs: number;
  readonly totalTimeoutMs: number;
  readonly maxBytes: number;
}

export const DEFAULT_RPC_LIMITS: RpcLimits = {
  connectTimeoutMs: 2_000,
  totalTimeoutMs: 5_000,
  maxBytes: 4 << 20,
};

export type RpcFailure = 'refused' | 'connect-timeout' | 'timeout' | 'too-large' | 'closed-empty' | 'network';

export class RpcError extends Error {
  constructor(
    readonly failure: RpcFailure | 'command' | 'json',
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}
