/** [Bitcoin Core rpc/protocol.h] the error codes the devchain answers with. */
export const RpcCode = {
  MethodNotFound: -32601,
  ParseError: -32700,
  InternalError: -32603,
  TypeError: -3,
  InvalidAddressOrKey: -5,
  WalletInsufficientFunds: -6,
  InvalidParameter: -8,
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
