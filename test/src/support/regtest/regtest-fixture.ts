/**
 * Shared set-up for the regtest tests: a node started in-process on a free port with a fixed mock
 * clock (so every run builds the same chain), an RPC client for it, and helpers to fund a test key
 * from the faucet, to express amounts in BTC the way the RPCs take them, and to read what the
 * chain holds.
 */
import { decodeBlock } from '@vigil/shared/bitcoin/block';
import { decodeTx, txidFromHex, txidHex, type Transaction } from '@vigil/shared/bitcoin/tx';
import { equalBytes, fromHex } from '@vigil/shared/bytes';
import { startRegtest, type RegtestOptions, type RunningRegtest } from '@vigil/shared/chain/regtest/start';
import { RpcCallError, RpcClient } from './rpc-client.js';
import type { OwnedOutput, TestKey } from './test-wallet.js';

/** The mock time every test node starts at (2023-11-14). */
export const TEST_MOCK_TIME = 1_700_000_000;

export interface TestNode {
  readonly regtest: RunningRegtest;
  readonly rpc: RpcClient;
}

export async function startTestNode(options: RegtestOptions = {}): Promise<TestNode> {
  const regtest = await startRegtest({
    mockTime: TEST_MOCK_TIME,
    ...options,
    rpc: { port: 0, auth: { user: 'vigil', password: 'test-password' }, ...options.rpc },
  });
  return { regtest, rpc: new RpcClient(regtest.url, regtest.credentials) };
}

/** `sat` as the BTC string the RPCs accept exactly. */
export function btcString(sat: bigint): string {
  return `${sat / 100_000_000n}.${(sat % 100_000_000n).toString().padStart(8, '0')}`;
}

/** Decodes the raw transaction `txid` as the node returns it. */
export async function fetchTx(rpc: RpcClient, txid: string): Promise<Transaction> {
  return decodeTx(fromHex(await rpc.call<string>('getrawtransaction', txid)));
}

/** Pays `valueSat` from the faucet to `key` and returns that output (unconfirmed). */
export async function fund(rpc: RpcClient, key: TestKey, valueSat: bigint): Promise<OwnedOutput> {
  const txid = await rpc.call<string>('faucet', key.address, btcString(valueSat));
  const tx = await fetchTx(rpc, txid);
  const vout = tx.outputs.findIndex((o) => equalBytes(o.scriptPubKey, key.script) && o.valueSat === valueSat);
  return { txid: txidFromHex(txid), vout, valueSat, key };
}

/** Funds `key` and mines the payment, so the output is confirmed. */
export async function fundConfirmed(rpc: RpcClient, key: TestKey, valueSat: bigint): Promise<OwnedOutput> {
  const output = await fund(rpc, key, valueSat);
  await mine(rpc, 1);
  return output;
}

/** Mines `count` blocks (to a throwaway address) and returns their hashes. */
export async function mine(rpc: RpcClient, count: number): Promise<string[]> {
  return rpc.call<string[]>('generatetoaddress', count, MINER_ADDRESS);
}

/** A P2WSH address nobody can spend, so mined coins never mix with test keys. */
const MINER_ADDRESS = 'bcrt1qv4mkpjsp2967gtl4k3rs2caj8tw0p55h8gzsdgtk54tfdyxkgsmsvc0c37';

export async function height(rpc: RpcClient): Promise<number> {
  return rpc.call<number>('getblockcount');
}

/** How deep `tx` is on the best chain: 0 while in the mempool or unknown. */
export async function confirmations(rpc: RpcClient, tx: Transaction): Promise<number> {
  try {
    const found = await rpc.call<{ confirmations?: number }>('getrawtransaction', txidHex(tx), 1);
    return found.confirmations ?? 0;
  } catch (e) {
    // -5: no such transaction in the mempool or a block.
    if (e instanceof RpcCallError && e.code === -5) return 0;
    throw e;
  }
}

/**
 * The total value of the outputs paying `scriptPubKey` in the best chain's blocks from `fromHeight`
 * to the tip, spent or not: what was paid to a script (e.g. a monitor's destination) meanwhile.
 */
export async function valuePaidTo(
  rpc: RpcClient,
  scriptPubKey: Uint8Array,
  fromHeight: number,
): Promise<bigint> {
  let total = 0n;
  for (let at = fromHeight, tip = await height(rpc); at <= tip; at++) {
    const hash = await rpc.call<string>('getblockhash', at);
    const block = decodeBlock(fromHex(await rpc.call<string>('getblock', hash, 0)));
    for (const tx of block.transactions)
      for (const output of tx.outputs)
        if (equalBytes(output.scriptPubKey, scriptPubKey)) total += output.valueSat;
  }
  return total;
}
