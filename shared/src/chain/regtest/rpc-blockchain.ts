/**
 * Chain RPCs with bitcoind's names, parameters and result shapes (rpc/blockchain.cpp, Core 27):
 * getblockchaininfo, getblockcount, getbestblockhash, getblockhash, getblockheader, getblock,
 * getdifficulty, gettxout, getchaintips, invalidateblock, reconsiderblock.
 */
import { difficulty, encodeBlock, encodeBlockHeader } from '../../bitcoin/block.js';
import { toHex } from '../../bytes.js';
import { ValidationError } from '../../errors.js';
import { isBetterChain, lastCommonAncestor, type BlockIndexEntry } from './block-index.js';
import { blockHashHexOf, blockToJson, chainWorkHex, headerToJson } from './block-json.js';
import { btc, type JsonValue } from './json.js';
import { RPC_INVALID_PARAMETER, RpcError } from './rpc-errors.js';
import { requireBlock, type RpcMethodTable } from './rpc-method.js';
import { scriptPubKeyToJson } from './tx-json.js';

export const blockchainMethods: RpcMethodTable = {
  getblockchaininfo: {
    params: [],
    run: (_args, { node }) => {
      const tip = node.tip;
      return {
        chain: 'regtest',
        blocks: tip.height,
        headers: bestHeader(node.chain.allEntries(), tip).height,
        bestblockhash: blockHashHexOf(tip),
        difficulty: difficulty(tip.block.header.bits),
        time: tip.block.header.time,
        mediantime: tip.medianTimePast,
        verificationprogress: 1,
        initialblockdownload: false,
        chainwork: chainWorkHex(tip),
        size_on_disk: 0,
        pruned: false,
        warnings: '',
      };
    },
  },

  getblockcount: { params: [], run: (_args, { node }) => node.tip.height },

  getbestblockhash: { params: [], run: (_args, { node }) => blockHashHexOf(node.tip) },

  getdifficulty: { params: [], run: (_args, { node }) => difficulty(node.tip.block.header.bits) },

  getblockhash: {
    params: [{ name: 'height', type: 'number', required: true }],
    run: (args, { node }) => {
      const entry = node.chain.atHeight(args.int(0));
      if (entry === undefined) throw new RpcError(RPC_INVALID_PARAMETER, 'Block height out of range');
      return blockHashHexOf(entry);
    },
  },

  getblockheader: {
    params: [
      { name: 'blockhash', type: 'string', required: true },
      { name: 'verbose', type: 'bool' },
    ],
    run: (args, { node }) => {
      const entry = requireBlock(node, args.hash(0, 'hash'));
      if (!args.bool(1, true)) return toHex(encodeBlockHeader(entry.block.header));
      return headerToJson(node.chain, entry);
    },
  },

  getblock: {
    params: [
      { name: 'blockhash', type: 'string', required: true },
      { name: 'verbosity|verbose', type: 'any' },
    ],
    run: (args, { node }) => {
      const entry = requireBlock(node, args.hash(0, 'blockhash'));
      const verbosity = args.verbosity(1, 1);
      if (verbosity <= 0) return toHex(encodeBlock(entry.block));
      return blockToJson(node.chain, entry, verbosity);
    },
  },

  gettxout: {
    params: [
      { name: 'txid', type: 'string', required: true },
      { name: 'n', type: 'number', required: true },
      { name: 'include_mempool', type: 'bool' },
    ],
    run: (args, { node }) => {
      const txid = Buffer.from(args.hash(0, 'txid'), 'hex');
      const vout = args.int(1);
      if (vout < 0 || vout > 0xffff_ffff) return null;
      const found = node.getTxOut({ txid, vout }, args.bool(2, true));
      if (found === undefined) return null;
      return {
        bestblock: blockHashHexOf(node.tip),
        confirmations: found.confirmations,
        value: btc(found.coin.output.valueSat),
        scriptPubKey: scriptPubKeyToJson(found.coin.output.scriptPubKey),
        coinbase: found.coin.isCoinbase,
      };
    },
  },

  getchaintips: {
    params: [],
    run: (_args, { node }) => chainTips(node.chain.allEntries(), (e) => node.chain.isActive(e), node.tip),
  },

  invalidateblock: {
    params: [{ name: 'blockhash', type: 'string', required: true }],
    run: (args, { node }) => {
      const entry = requireBlock(node, args.hash(0, 'blockhash'));
      try {
        node.invalidateBlock(entry);
      } catch (e) {
        if (e instanceof ValidationError) throw new RpcError(RPC_INVALID_PARAMETER, e.problem);
        throw e;
      }
      return null;
    },
  },

  reconsiderblock: {
    params: [{ name: 'blockhash', type: 'string', required: true }],
    run: (args, { node }) => {
      node.reconsiderBlock(requireBlock(node, args.hash(0, 'blockhash')));
      return null;
    },
  },
};

/** The most-work valid block known (bitcoind's best header), at least the tip. */
function bestHeader(entries: Iterable<BlockIndexEntry>, tip: BlockIndexEntry): BlockIndexEntry {
  let best = tip;
  for (const e of entries) if (e.status === 'valid' && isBetterChain(e, best)) best = e;
  return best;
}

/** `getchaintips`: every block without children, with its fork length and status. */
function chainTips(
  entries: Iterable<BlockIndexEntry>,
  isActive: (e: BlockIndexEntry) => boolean,
  tip: BlockIndexEntry,
): JsonValue {
  const all = [...entries];
  const parents = new Set(all.map((e) => e.prev));
  return all
    .filter((e) => !parents.has(e))
    .sort((a, b) => b.height - a.height)
    .map((e) => ({
      height: e.height,
      hash: blockHashHexOf(e),
      branchlen: e.height - lastCommonAncestor(e, tip).height,
      status: isActive(e)
        ? 'active'
        : e.status !== 'valid'
          ? 'invalid'
          : e.connection !== undefined
            ? 'valid-fork'
            : 'valid-headers',
    }));
}
