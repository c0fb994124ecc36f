/**
 * Mempool RPCs with bitcoind's names, parameters, result shapes and errors (rpc/mempool.cpp, Core
 * 27): sendrawtransaction (-25/-26/-27), testmempoolaccept, getrawmempool, getmempoolentry,
 * getmempoolinfo; and vigil's `setmempoolminfee <BTC/kvB>`, which raises the mempool's dynamic
 * minimum feerate the way a full bitcoind mempool would (fee-spike scenarios).
 */
import { btc, type JsonValue } from './json.js';
import type { MempoolEntry } from './mempool.js';
import { COIN, feeRateOf } from './money.js';
import type { RegtestNode } from './node.js';
import { DEFAULT_MAX_RAW_TX_FEE_RATE } from './node.js';
import { flipHashHex } from './prepared-tx.js';
import { RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RpcError } from './rpc-errors.js';
import { txRejectionError, type RpcMethodTable } from './rpc-method.js';
import { decodeRawTransaction, type RpcArgs } from './rpc-params.js';
import { TxRejection } from './rejections.js';

/** testmempoolaccept's package limit (MAX_PACKAGE_COUNT). */
const MAX_PACKAGE_COUNT = 25;
/** bitcoind's default -maxmempool, bytes. */
const MAX_MEMPOOL_BYTES = 300_000_000;

export const mempoolMethods: RpcMethodTable = {
  sendrawtransaction: {
    params: [
      { name: 'hexstring', type: 'string', required: true },
      { name: 'maxfeerate', type: 'amount' },
      { name: 'maxburnamount', type: 'amount' },
    ],
    run: (args, { node }) => {
      const tx = decodeRawTransaction(args.string(0));
      const limits = { maxFeeRate: maxFeeRate(args, 1), maxBurnSat: args.amount(2, 0n) };
      try {
        return node.sendRawTransaction(tx, limits);
      } catch (e) {
        if (e instanceof TxRejection) throw txRejectionError(e);
        throw e;
      }
    },
  },

  testmempoolaccept: {
    params: [
      { name: 'rawtxs', type: 'array', required: true },
      { name: 'maxfeerate', type: 'amount' },
    ],
    run: (args, { node }) => {
      const raws = args.array(0);
      if (raws.length < 1 || raws.length > MAX_PACKAGE_COUNT) {
        throw new RpcError(
          RPC_INVALID_PARAMETER,
          `Array must contain between 1 and ${MAX_PACKAGE_COUNT} transactions.`,
        );
      }
      const results = node.testMempoolAccept(raws.map(decodeRawTransaction), maxFeeRate(args, 1));
      return results.map((r): JsonValue => {
        const ids = { txid: flipHashHex(r.p.txidKey), wtxid: flipHashHex(r.p.wtxidKey) };
        if (r.outcome === 'unfinished') return ids;
        if (r.outcome === 'rejected') {
          const missing = r.rejection.kind === 'missing-inputs';
          return { ...ids, allowed: false, 'reject-reason': missing ? 'missing-inputs' : r.rejection.reason };
        }
        return {
          ...ids,
          allowed: true,
          vsize: r.p.vsize,
          fees: {
            base: btc(r.feeSat),
            'effective-feerate': btc(feeRateOf(r.feeSat, r.p.vsize)),
            'effective-includes': [flipHashHex(r.p.wtxidKey)],
          },
        };
      });
    },
  },

  getrawmempool: {
    params: [
      { name: 'verbose', type: 'bool' },
      { name: 'mempool_sequence', type: 'bool' },
    ],
    run: (args, { node }) => {
      if (args.bool(1, false)) {
        throw new RpcError(RPC_INVALID_PARAMETER, 'mempool_sequence is not supported by vigil-regtest');
      }
      const entries = node.mempool.entries();
      if (!args.bool(0, false)) return entries.map((e) => flipHashHex(e.p.txidKey));
      return Object.fromEntries(entries.map((e) => [flipHashHex(e.p.txidKey), entryToJson(node, e)]));
    },
  },

  getmempoolentry: {
    params: [{ name: 'txid', type: 'string', required: true }],
    run: (args, { node }) => {
      const entry = node.mempool.get(args.hash(0, 'txid'));
      if (entry === undefined) throw new RpcError(RPC_INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
      return entryToJson(node, entry);
    },
  },

  getmempoolinfo: {
    params: [],
    run: (_args, { node }) => {
      const entries = node.mempool.entries();
      const policy = node.policy;
      return {
        loaded: true,
        size: entries.length,
        bytes: entries.reduce((n, e) => n + e.p.vsize, 0),
        usage: entries.reduce((n, e) => n + e.p.raw.length, 0),
        total_fee: btc(entries.reduce((sum, e) => sum + e.feeSat, 0n)),
        maxmempool: MAX_MEMPOOL_BYTES,
        mempoolminfee: btc(node.effectiveMempoolMinFeeRate),
        minrelaytxfee: btc(policy.minRelayFeeRate),
        incrementalrelayfee: btc(policy.incrementalRelayFeeRate),
        unbroadcastcount: 0,
        fullrbf: policy.fullRbf,
      };
    },
  },

  setmempoolminfee: {
    params: [{ name: 'feerate', type: 'amount', required: true }],
    run: (args, { node }) => {
      node.setMempoolMinFeeRate(args.amount(0));
      return null;
    },
  },
};

/** `maxfeerate` in BTC/kvB (`ParseFeeRate`), as sat/kvB; 0 disables the check. */
function maxFeeRate(args: RpcArgs, index: number): bigint {
  const rate = args.amount(index, DEFAULT_MAX_RAW_TX_FEE_RATE);
  if (rate >= COIN) {
    throw new RpcError(RPC_INVALID_PARAMETER, 'Fee rates larger than or equal to 1BTC/kvB are not accepted');
  }
  return rate;
}

/** bitcoind's `entryToJSON`. */
function entryToJson(node: RegtestNode, entry: MempoolEntry): JsonValue {
  const pool = node.mempool;
  const ancestors = [...pool.ancestorsOf([entry])];
  const descendants = [...pool.withDescendants(entry)];
  const sum = (list: MempoolEntry[], f: (e: MempoolEntry) => bigint) => list.reduce((s, e) => s + f(e), 0n);
  return {
    vsize: entry.p.vsize,
    weight: entry.p.weight,
    time: entry.time,
    height: entry.height,
    descendantcount: descendants.length,
    descendantsize: descendants.reduce((n, e) => n + e.p.vsize, 0),
    ancestorcount: ancestors.length,
    ancestorsize: ancestors.reduce((n, e) => n + e.p.vsize, 0),
    wtxid: flipHashHex(entry.p.wtxidKey),
    fees: {
      base: btc(entry.feeSat),
      modified: btc(entry.feeSat),
      ancestor: btc(sum(ancestors, (e) => e.feeSat)),
      descendant: btc(sum(descendants, (e) => e.feeSat)),
    },
    depends: pool
      .parents(entry)
      .map((e) => flipHashHex(e.p.txidKey))
      .sort(),
    spentby: pool
      .children(entry)
      .map((e) => flipHashHex(e.p.txidKey))
      .sort(),
    'bip125-replaceable': pool.isBip125Replaceable(entry),
    unbroadcast: false,
  };
}
