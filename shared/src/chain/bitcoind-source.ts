/**
 * `ChainSource` over bitcoind's JSON-RPC (and vigil-regtest's identical subset). Blocks are
 * fetched raw (`getblock <hash> 0`) and decoded by Vigil's own codec, whose hash is checked
 * against the one asked for, so nothing the node says is trusted without being re-derived.
 */
import { equalBytes, fromHex, reverseBytes, toHex } from '../bytes.js';
import { DecodeError, ValidationError } from '../errors.js';
import { type Block, blockHash, blockHashFromHex, decodeBlock } from '../bitcoin/block.js';
import { encodeTx, type OutPoint, type Transaction } from '../bitcoin/tx.js';
import {
  type BlockRef,
  type BroadcastResult,
  type ChainSource,
  rejectKindOf,
  TxRejectedError,
  type UtxoInfo,
} from './chain-source.js';
import { RpcClient, type RpcClientOptions, RpcError } from './rpc-client.js';

/** LDK's floor: 253 sat/kw is 1 sat/vB rounded up, the minimum relay feerate. */
export const MIN_FEERATE_PER_KW = 253;

const RPC_INVALID_PARAMETER = -8;
const RPC_VERIFY_ERROR = -25;
const RPC_VERIFY_REJECTED = -26;
const RPC_VERIFY_ALREADY_IN_CHAIN = -27;

/** Display-order hex of an internal-order hash, as bitcoind's RPCs take and return them. */
const hashHex = (hash: Uint8Array) => toHex(reverseBytes(hash));

/** BTC amounts arrive as JSON numbers with at most 8 decimals: round to the satoshi. */
function btcToSat(btc: number, field: string): bigint {
  if (typeof btc !== 'number' || !Number.isFinite(btc) || btc < 0)
    throw new DecodeError(field, `expected a BTC amount, got ${btc}`);
  return BigInt(Math.round(btc * 1e8));
}

export interface BitcoindChainSourceOptions extends RpcClientOptions {
  /** Used when the node has no estimate yet (a fresh regtest chain); default MIN_FEERATE_PER_KW. */
  readonly fallbackFeeratePerKw?: number;
}

export class BitcoindChainSource implements ChainSource {
  readonly rpc: RpcClient;

  constructor(private readonly options: BitcoindChainSourceOptions) {
    this.rpc = new RpcClient(options);
  }

  async getTip(): Promise<BlockRef> {
    const info = await this.rpc.call<{ blocks: number; bestblockhash: string }>('getblockchaininfo');
    return {
      height: info.blocks,
      hash: blockHashFromHex(info.bestblockhash, 'getblockchaininfo.bestblockhash'),
    };
  }

  async getBlockHash(height: number): Promise<Uint8Array | undefined> {
    try {
      return blockHashFromHex(await this.rpc.call<string>('getblockhash', [height]), 'getblockhash');
    } catch (e) {
      if (e instanceof RpcError && e.code === RPC_INVALID_PARAMETER) return undefined;
      throw e;
    }
  }

  async getBlock(hash: Uint8Array): Promise<Block> {
    const raw = await this.rpc.call<string>('getblock', [hashHex(hash), 0]);
    const block = decodeBlock(fromHex(raw, 'getblock'));
    if (!equalBytes(blockHash(block.header), hash)) {
      throw new ValidationError(
        'getblock',
        `the node returned block ${hashHex(blockHash(block.header))} for ${hashHex(hash)}`,
      );
    }
    return block;
  }

  async broadcast(tx: Transaction): Promise<BroadcastResult> {
    try {
      // maxfeerate 0: a justice or claim transaction may legitimately pay a high feerate.
      await this.rpc.call('sendrawtransaction', [toHex(encodeTx(tx)), 0]);
      return 'accepted';
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
      const reason = e.rpcMessage;
      if (e.code === RPC_VERIFY_ALREADY_IN_CHAIN || /^txn-already-(in-mempool|known)/.test(reason))
        return 'already-known';
      if (e.code === RPC_VERIFY_ERROR || e.code === RPC_VERIFY_REJECTED)
        throw new TxRejectedError(rejectKindOf(reason), reason);
      throw e;
    }
  }

  async estimateFeeratePerKw(targetBlocks: number): Promise<number> {
    const estimate = await this.rpc.call<{ feerate?: number }>('estimatesmartfee', [targetBlocks]);
    if (estimate.feerate === undefined) return this.options.fallbackFeeratePerKw ?? MIN_FEERATE_PER_KW;
    // BTC per 1000 vbytes -> sat per 1000 weight units (4 weight units per vbyte).
    const perKw = Math.floor(Number(btcToSat(estimate.feerate, 'estimatesmartfee.feerate')) / 4);
    return Math.max(perKw, MIN_FEERATE_PER_KW);
  }

  async getUtxo(outpoint: OutPoint): Promise<UtxoInfo | undefined> {
    const out = await this.rpc.call<{
      confirmations: number;
      value: number;
      scriptPubKey: { hex: string };
      coinbase: boolean;
    } | null>('gettxout', [hashHex(outpoint.txid), outpoint.vout, true]);
    if (out === null) return undefined;
    return {
      valueSat: btcToSat(out.value, 'gettxout.value'),
      scriptPubKey: fromHex(out.scriptPubKey.hex, 'gettxout.scriptPubKey.hex'),
      confirmations: out.confirmations,
      coinbase: out.coinbase,
    };
  }
}
