/** [Bitcoin Core src/rpc/protocol.h: RPCErrorCode] the error codes the devchain answers with. */
export const RpcCode = {
  MethodNotFound: -32601,
  ParseError: -32700,
  InternalError: -32603,
  TypeError: -3,
  InvalidAddressOrKey: -5,
  WalletInsufficientFunds: -6,
  InvalidParameter: -8,
  /** RPC_CLIENT_NOT_CONNECTED: also what a longpoll gets when the node shuts down. */
  ClientNotConnected: -9,
  ClientInInitialDownload: -10,
  WalletNotFound: -18,
  WalletNotSpecified: -19,
  DeserializationError: -22,
} as const;

/** A call the devchain refuses, with the code bitcoind would answer. */
export class RpcMethodError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.name = 'RpcMethodError';
    this.code = code;
  }
}
