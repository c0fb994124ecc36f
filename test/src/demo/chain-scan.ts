/**
 * Reading the chain over bitcoind's JSON-RPC the way the demo needs it: the best chain's blocks
 * from a height on, decoded, and the transactions spending a given transaction's outputs, in the
 * mempool or in those blocks. Only RPCs that work on a bitcoind without a wallet or txindex
 * (getblockhash, getblock, getrawmempool, and getrawtransaction for mempool transactions).
 */
import { decodeBlock } from '@vigil/shared/bitcoin/block';
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import { fromHex, toHex } from '@vigil/shared/bytes';
import { fetchTx, height } from '../support/regtest/regtest-fixture.js';
import type { RpcClient } from '../support/regtest/rpc-client.js';

export interface ScannedBlock {
  readonly height: number;
  readonly hash: string;
  readonly transactions: readonly Transaction[];
}

/** The best chain's blocks from `fromHeight` to the tip. */
export async function blocksFrom(rpc: RpcClient, fromHeight: number): Promise<ScannedBlock[]> {
  const blocks: ScannedBlock[] = [];
  for (let at = fromHeight, tip = await height(rpc); at <= tip; at++) {
    const hash = await rpc.call<string>('getblockhash', at);
    const { transactions } = decodeBlock(fromHex(await rpc.call<string>('getblock', hash, 0)));
    blocks.push({ height: at, hash, transactions });
  }
  return blocks;
}

/** A txid in internal byte order (as in an outpoint) as displayed (byte-reversed hex). */
export function displayTxid(txid: Uint8Array): string {
  return toHex(Uint8Array.from(txid).reverse());
}

/** Whether `tx` spends an output of the transaction `parentTxid` (display order). */
export function spendsFrom(tx: Transaction, parentTxid: string): boolean {
  return tx.inputs.some((input) => displayTxid(input.prevout.txid) === parentTxid);
}

/** The mempool's transactions spending an output of `parentTxid`. */
export async function mempoolSpenders(rpc: RpcClient, parentTxid: string): Promise<Transaction[]> {
  const spenders: Transaction[] = [];
  for (const txid of await rpc.call<string[]>('getrawmempool')) {
    const tx = await fetchTx(rpc, txid).catch(() => undefined); // Mined or evicted meanwhile.
    if (tx !== undefined && spendsFrom(tx, parentTxid)) spenders.push(tx);
  }
  return spenders;
}
