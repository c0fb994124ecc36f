/**
 * JSON-RPC errors with bitcoind's codes (rpc/protocol.h). Handlers throw RpcError; typed errors
 * from the node are mapped to these at the RPC edge, never earlier.
 */

export const RPC_MISC_ERROR = -1;
export const RPC_TYPE_ERROR = -3;
export const RPC_INVALID_ADDRESS_OR_KEY = -5;
export const RPC_WALLET_INSUFFICIENT_FUNDS = -6;
export const RPC_INVALID_PARAMETER = -8;
export const RPC_DESERIALIZATION_ERROR = -22;
/** sendrawtransaction: missing inputs, or the caller's fee limits (RPC_TRANSACTION_ERROR). */
export const RPC_VERIFY_ERROR = -25;
/** sendrawtransaction: rejected by consensus or policy (RPC_TRANSACTION_REJECTED). */
export const RPC_VERIFY_REJECTED = -26;
/** sendrawtransaction: outputs already in the UTXO set (RPC_TRANSACTION_ALREADY_IN_CHAIN). */
export const RPC_VERIFY_ALREADY_IN_CHAIN = -27;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INTERNAL_ERROR = -32603;
export const RPC_PARSE_ERROR = -32700;

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}
