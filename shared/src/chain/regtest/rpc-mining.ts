/**
 * Mining and fee RPCs with bitcoind's names, parameters, shapes and errors (rpc/mining.cpp,
 * rpc/fees.cpp, Core 27): generatetoaddress, generateblock, submitblock (BIP 22 results) and
 * estimatesmartfee (feerate in BTC/kvB; see fee-estimator.ts for how it is computed).
 */
import { blockHashHex, decodeBlock, encodeBlock } from '../../bitcoin/block.js';
import type { Transaction } from '../../bitcoin/tx.js';
import { fromHex, toHex } from '../../bytes.js';
import { DecodeError } from '../../errors.js';
import { blockHashHexOf } from './block-json.js';
import { btc } from './json.js';
import type { RegtestNode } from './node.js';
import { BlockRejection } from './rejections.js';
import {
  RPC_DESERIALIZATION_ERROR,
  RPC_INTERNAL_ERROR,
  RPC_INVALID_ADDRESS_OR_KEY,
  RPC_INVALID_PARAMETER,
  RPC_VERIFY_ERROR,
  RpcError,
} from './rpc-errors.js';
import { scriptOfAddress, type RpcMethodTable } from './rpc-method.js';
import { decodeRawTransaction, parseHash } from './rpc-params.js';
import { isCoinbase } from './tx-consensus.js';
import { DEFAULT_MAX_TRIES } from './block-assembler.js';

/** The longest target bitcoind's estimator tracks. */
const MAX_CONF_TARGET = 1008;
const ESTIMATE_MODES = ['unset', 'economical', 'conservative'];

export const miningMethods: RpcMethodTable = {
  generatetoaddress: {
    params: [
      { name: 'nblocks', type: 'number', required: true },
      { name: 'address', type: 'string', required: true },
      { name: 'maxtries', type: 'number' },
    ],
    run: (args, { node }) => {
      const script = scriptOfAddress(args.string(1), 'Error: Invalid address');
      try {
        return node.generateToScript(args.int(0), script, args.int(2, DEFAULT_MAX_TRIES)).map(blockHashHexOf);
      } catch (e) {
        if (e instanceof BlockRejection)
          throw new RpcError(RPC_INTERNAL_ERROR, `ProcessNewBlock, block not accepted: ${e.details}`);
        throw e;
      }
    },
  },

  generateblock: {
    params: [
      { name: 'output', type: 'string', required: true },
      { name: 'transactions', type: 'array', required: true },
      { name: 'submit', type: 'bool' },
    ],
    run: (args, { node }) => {
      const script = scriptOfAddress(args.string(0), 'Error: Invalid address or descriptor');
      const txs = args.array(1).map((item) => blockTransaction(node, item));
      const submit = args.bool(2, true);
      try {
        const block = node.generateBlock(script, txs, submit);
        return { hash: blockHashHex(block.header), hex: submit ? undefined : toHex(encodeBlock(block)) };
      } catch (e) {
        if (e instanceof BlockRejection)
          throw new RpcError(RPC_VERIFY_ERROR, `TestBlockValidity failed: ${e.details}`);
        throw e;
      }
    },
  },

  submitblock: {
    params: [
      { name: 'hexdata', type: 'string', required: true },
      { name: 'dummy', type: 'any' },
    ],
    run: (args, { node }) => {
      let block;
      try {
        block = decodeBlock(fromHex(args.string(0), 'hexdata'));
      } catch (e) {
        if (e instanceof DecodeError) throw new RpcError(RPC_DESERIALIZATION_ERROR, 'Block decode failed');
        throw e;
      }
      const first = block.transactions[0];
      if (first === undefined || !isCoinbase(first)) {
        throw new RpcError(RPC_DESERIALIZATION_ERROR, 'Block does not start with a coinbase');
      }
      return node.submitBlock(block) ?? null;
    },
  },

  estimatesmartfee: {
    params: [
      { name: 'conf_target', type: 'number', required: true },
      { name: 'estimate_mode', type: 'string' },
    ],
    run: (args, { node }) => {
      const target = args.int(0);
      if (target < 1 || target > MAX_CONF_TARGET) {
        throw new RpcError(
          RPC_INVALID_PARAMETER,
          `Invalid conf_target, must be between 1 and ${MAX_CONF_TARGET}`,
        );
      }
      if (args.isSet(1) && !ESTIMATE_MODES.includes(args.string(1).toLowerCase())) {
        throw new RpcError(
          RPC_INVALID_PARAMETER,
          'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"',
        );
      }
      // bitcoind answers a 1-block target with its 2-block estimate.
      const blocks = Math.max(target, 2);
      return { feerate: btc(node.estimateSmartFee(blocks)), blocks };
    },
  },
};

/** A generateblock entry: the txid of a mempool transaction, or a raw transaction. */
function blockTransaction(node: RegtestNode, item: unknown): Transaction {
  const text = typeof item === 'string' ? item : '';
  if (text.length === 64 && /^[0-9a-fA-F]+$/.test(text)) {
    const entry = node.mempool.get(parseHash(text, 'txid'));
    if (entry === undefined)
      throw new RpcError(RPC_INVALID_ADDRESS_OR_KEY, `Transaction ${text} not in mempool.`);
    return entry.p.tx;
  }
  try {
    return decodeRawTransaction(item);
  } catch (e) {
    if (!(e instanceof RpcError)) throw e;
    throw new RpcError(
      RPC_DESERIALIZATION_ERROR,
      `Transaction decode failed for ${text.slice(0, 100)}. Make sure the tx has at least one input.`,
    );
  }
}
