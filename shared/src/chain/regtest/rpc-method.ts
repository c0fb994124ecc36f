/**
 * What an RPC method is (its parameters and its handler), and the helpers handlers share at the
 * RPC edge: mapping the node's typed errors to bitcoind's error codes and messages, and looking up
 * blocks and addresses with bitcoind's errors.
 */
import { addressToScript } from '../../bitcoin/address.js';
import { REGTEST } from '../../bitcoin/network.js';
import { VigilError } from '../../errors.js';
import type { BlockIndexEntry } from './block-index.js';
import type { JsonValue } from './json.js';
import type { RegtestNode } from './node.js';
import type { TxRejection } from './rejections.js';
import {
  RPC_INVALID_ADDRESS_OR_KEY,
  RPC_VERIFY_ALREADY_IN_CHAIN,
  RPC_VERIFY_ERROR,
  RPC_VERIFY_REJECTED,
  RpcError,
} from './rpc-errors.js';
import type { ParamSpec, RpcArgs } from './rpc-params.js';

/** What a handler may use besides its arguments. */
export interface RpcContext {
  readonly node: RegtestNode;
  /** Asks the server to shut down once the current reply is sent (the `stop` RPC). */
  readonly requestStop: () => void;
}

export interface RpcMethod {
  readonly params: readonly ParamSpec[];
  readonly run: (args: RpcArgs, ctx: RpcContext) => JsonValue;
}

export type RpcMethodTable = Readonly<Record<string, RpcMethod>>;

/** sendrawtransaction's mapping (`RPCErrorFromTransactionError`): -25 missing inputs or limits, -27 in chain, -26 otherwise. */
export function txRejectionError(rejection: TxRejection): RpcError {
  const code =
    rejection.kind === 'missing-inputs' || rejection.kind === 'max-fee'
      ? RPC_VERIFY_ERROR
      : rejection.kind === 'already-in-chain'
        ? RPC_VERIFY_ALREADY_IN_CHAIN
        : RPC_VERIFY_REJECTED;
  return new RpcError(code, rejection.details);
}

/** The block with hash key `key`, or bitcoind's -5 "Block not found". */
export function requireBlock(node: RegtestNode, key: string): BlockIndexEntry {
  return requireBlockOr(node, key, 'Block not found');
}

/** The block with hash key `key`, or -5 with `message`. */
export function requireBlockOr(node: RegtestNode, key: string, message: string): BlockIndexEntry {
  const entry = node.chain.entry(key);
  if (entry === undefined) throw new RpcError(RPC_INVALID_ADDRESS_OR_KEY, message);
  return entry;
}

/** The output script of a regtest address; anything else is -5 with `message`. */
export function scriptOfAddress(address: string, message: string): Uint8Array {
  try {
    return addressToScript(address, REGTEST);
  } catch (e) {
    if (e instanceof VigilError) throw new RpcError(RPC_INVALID_ADDRESS_OR_KEY, message);
    throw e;
  }
}
