/**
 * One JSON-RPC request object in, one reply out, by bitcoind's rules (httprpc.cpp, request.cpp):
 * JSON-RPC 1.0 replies carry both `result` and `error` and a failing single request gets HTTP 500
 * (400 for an invalid request, 404 for an unknown method); JSON-RPC 2.0 requests (`"jsonrpc":
 * "2.0"`, as Core 28 added) get one of `result`/`error`, HTTP 200, and no reply at all for a
 * notification (no `id`). Handler errors become error objects here and nowhere else.
 */
import { DecodeError, ValidationError } from '../../errors.js';
import type { JsonValue } from './json.js';
import { BlockRejection, TxRejection } from './rejections.js';
import { blockchainMethods } from './rpc-blockchain.js';
import { controlMethods } from './rpc-control.js';
import {
  RPC_INVALID_PARAMETER,
  RPC_INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND,
  RPC_MISC_ERROR,
  RPC_VERIFY_ERROR,
  RpcError,
} from './rpc-errors.js';
import { mempoolMethods } from './rpc-mempool.js';
import { txRejectionError, type RpcContext, type RpcMethodTable } from './rpc-method.js';
import { miningMethods } from './rpc-mining.js';
import { bindParams, usage } from './rpc-params.js';
import { rawTransactionMethods } from './rpc-rawtransaction.js';

const HTTP_OK = 200;
const HTTP_BAD_REQUEST = 400;
const HTTP_NOT_FOUND = 404;
const HTTP_INTERNAL_SERVER_ERROR = 500;

const BASE_METHODS: RpcMethodTable = {
  ...blockchainMethods,
  ...mempoolMethods,
  ...rawTransactionMethods,
  ...miningMethods,
  ...controlMethods,
};

/** Every method, `help` included. */
export const RPC_METHODS: RpcMethodTable = {
  ...BASE_METHODS,
  help: {
    params: [{ name: 'command', type: 'string' }],
    run: (args) => {
      if (!args.isSet(0)) {
        return Object.keys(BASE_METHODS)
          .sort()
          .map((name) => usage(name, BASE_METHODS[name]!.params))
          .join('\n');
      }
      const command = args.string(0);
      const method = BASE_METHODS[command];
      return method === undefined ? `help: unknown command: ${command}` : usage(command, method.params);
    },
  },
};

export interface RpcReply {
  readonly body: JsonValue;
  /** HTTP status when this reply is the whole response (not part of a batch). */
  readonly status: number;
}

type Version = 'legacy' | '2.0';

/** Handles one request object; undefined for a JSON-RPC 2.0 notification. */
export function handleRequest(request: unknown, ctx: RpcContext): RpcReply | undefined {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return errorReply('legacy', null, new RpcError(RPC_INVALID_REQUEST, 'Invalid Request object'));
  }
  const fields = request as Record<string, unknown>;
  const id = (fields['id'] ?? null) as JsonValue;
  const jsonrpc = fields['jsonrpc'];
  if (jsonrpc !== undefined && jsonrpc !== '1.0' && jsonrpc !== '2.0') {
    return errorReply('legacy', id, new RpcError(RPC_INVALID_REQUEST, 'JSON-RPC version not supported'));
  }
  const version: Version = jsonrpc === '2.0' ? '2.0' : 'legacy';
  const notification = version === '2.0' && !('id' in fields);
  let reply: RpcReply;
  try {
    reply = { body: resultBody(version, id, execute(fields, ctx)), status: HTTP_OK };
  } catch (e) {
    reply = errorReply(version, id, toRpcError(e));
  }
  return notification ? undefined : reply;
}

function execute(fields: Record<string, unknown>, ctx: RpcContext): JsonValue {
  const method = fields['method'];
  if (method === undefined) throw new RpcError(RPC_INVALID_REQUEST, 'Missing method');
  if (typeof method !== 'string') throw new RpcError(RPC_INVALID_REQUEST, 'Method must be a string');
  const params = fields['params'];
  if (params !== undefined && params !== null && typeof params !== 'object') {
    throw new RpcError(RPC_INVALID_REQUEST, 'Params must be an array or object');
  }
  const handler = Object.hasOwn(RPC_METHODS, method) ? RPC_METHODS[method] : undefined;
  if (handler === undefined) throw new RpcError(RPC_METHOD_NOT_FOUND, 'Method not found');
  return handler.run(bindParams(method, handler.params, params), ctx);
}

/** The error object for anything a handler threw; typed node errors get their bitcoind codes. */
function toRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  if (e instanceof TxRejection) return txRejectionError(e);
  if (e instanceof BlockRejection) return new RpcError(RPC_VERIFY_ERROR, e.details);
  if (e instanceof ValidationError || e instanceof DecodeError)
    return new RpcError(RPC_INVALID_PARAMETER, e.message);
  // A bug, not bad input: report it without a stack trace, and keep serving.
  console.error('vigil-regtest: internal error', e);
  return new RpcError(RPC_MISC_ERROR, e instanceof Error ? e.message : String(e));
}

function resultBody(version: Version, id: JsonValue, result: JsonValue): JsonValue {
  return version === '2.0' ? { jsonrpc: '2.0', result, id } : { result, error: null, id };
}

/** An error reply: bitcoind's `JSONRPCReplyObj`, with the HTTP status its `JSONErrorReply` would send. */
export function errorReply(version: Version, id: JsonValue, error: RpcError): RpcReply {
  const object = { code: error.code, message: error.message };
  if (version === '2.0') return { body: { jsonrpc: '2.0', error: object, id }, status: HTTP_OK };
  const status =
    error.code === RPC_INVALID_REQUEST
      ? HTTP_BAD_REQUEST
      : error.code === RPC_METHOD_NOT_FOUND
        ? HTTP_NOT_FOUND
        : HTTP_INTERNAL_SERVER_ERROR;
  return { body: { result: null, error: object, id }, status };
}
