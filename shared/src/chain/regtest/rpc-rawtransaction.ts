/**
 * Raw transaction RPCs with bitcoind's names, parameters, shapes and errors (rpc/rawtransaction.cpp,
 * Core 27): getrawtransaction (mempool and, the node keeping every block, any confirmed
 * transaction; verbosity 0, 1, or 2 with fee and prevouts) and decoderawtransaction.
 */
import { toHex } from '../../bytes.js';
import { blockHashHexOf } from './block-json.js';
import type { JsonValue } from './json.js';
import { GENESIS_BLOCK } from './params.js';
import { RPC_INVALID_ADDRESS_OR_KEY, RpcError } from './rpc-errors.js';
import { requireBlockOr, type RpcMethodTable } from './rpc-method.js';
import { decodeRawTransaction } from './rpc-params.js';
import { prepareTx } from './prepared-tx.js';
import { txToJson } from './tx-json.js';

const GENESIS_COINBASE_KEY = toHex(GENESIS_BLOCK.header.merkleRoot);

export const rawTransactionMethods: RpcMethodTable = {
  getrawtransaction: {
    params: [
      { name: 'txid', type: 'string', required: true },
      { name: 'verbosity|verbose', type: 'any' },
      { name: 'blockhash', type: 'string' },
    ],
    run: (args, { node }) => {
      const txidKey = args.hash(0, 'parameter 1');
      const verbosity = args.verbosity(1, 0);
      const block = args.isSet(2)
        ? requireBlockOr(node, args.hash(2, 'parameter 3'), 'Block hash not found')
        : undefined;
      if (txidKey === GENESIS_COINBASE_KEY) {
        throw new RpcError(
          RPC_INVALID_ADDRESS_OR_KEY,
          'The genesis block coinbase is not considered an ordinary transaction and cannot be retrieved',
        );
      }
      const found = node.findTransaction(txidKey, block);
      if (found === undefined) {
        const where =
          block === undefined
            ? 'No such mempool or blockchain transaction'
            : 'No such transaction found in the provided block';
        throw new RpcError(
          RPC_INVALID_ADDRESS_OR_KEY,
          `${where}. Use gettransaction for wallet transactions.`,
        );
      }
      if (verbosity <= 0) return toHex(found.p.raw);
      if (!('block' in found)) return txToJson(found.p, { hex: true });
      // Fee and prevouts come from the block's undo data (verbosity 2), as bitcoind reads its rev files.
      const spent =
        verbosity >= 2 && found.index > 0 ? found.block.connection?.undo[found.index - 1] : undefined;
      const active = node.chain.isActive(found.block);
      const result: { [key: string]: JsonValue | undefined } = {
        in_active_chain: block === undefined ? undefined : active,
        ...txToJson(found.p, { hex: true, spent, prevouts: spent !== undefined }),
        blockhash: blockHashHexOf(found.block),
        confirmations: active ? node.tip.height - found.block.height + 1 : 0,
      };
      if (active) {
        result['time'] = found.block.block.header.time;
        result['blocktime'] = found.block.block.header.time;
      }
      return result;
    },
  },

  decoderawtransaction: {
    params: [
      { name: 'hexstring', type: 'string', required: true },
      { name: 'iswitness', type: 'bool' },
    ],
    run: (args) => txToJson(prepareTx(decodeRawTransaction(args.string(0)))),
  },
};
