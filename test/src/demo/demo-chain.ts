/**
 * The chain the demo runs on: by default a vigil-regtest process it starts (regtest-process.ts),
 * whose `faucet` RPC funds the channel; or an external bitcoind in regtest mode, funded from its
 * wallet with `sendtoaddress`. Either way the demo, the monitors and this module talk to it over
 * bitcoind's JSON-RPC only.
 */
import { equalBytes } from '@vigil/shared/bytes';
import { txidFromHex } from '@vigil/shared/bitcoin/tx';
import type { RpcCredentials } from '@vigil/shared/chain/regtest/rpc-auth';
import type { CoinSource } from '../scenario/regtest-funding.js';
import { btcString, fetchTx, fundConfirmed, mine } from '../support/regtest/regtest-fixture.js';
import { RpcCallError, RpcClient } from '../support/regtest/rpc-client.js';
import type { ExternalBitcoind } from './demo-options.js';
import { spawnRegtest } from './regtest-process.js';

export interface DemoChain {
  /** `vigil-regtest` or `bitcoind`. */
  readonly name: string;
  /** The node's process, when the demo started it. */
  readonly pid: number | undefined;
  readonly url: string;
  readonly credentials: RpcCredentials;
  readonly rpc: RpcClient;
  /** Pays a test key and confirms the payment (for regtestFunding). */
  readonly coins: CoinSource;
  /** Resolves if the node the demo started exits (never for an external one). */
  readonly exited: Promise<unknown>;
  /** Stops the node if the demo started it. */
  stop(): Promise<void>;
}

/** Starts vigil-regtest, its output appended to `logFile`. */
export async function startEmbeddedChain(logFile: string): Promise<DemoChain> {
  const regtest = await spawnRegtest(logFile);
  const rpc = new RpcClient(regtest.url, regtest.credentials);
  return {
    name: 'vigil-regtest',
    pid: regtest.pid,
    url: regtest.url,
    credentials: regtest.credentials,
    rpc,
    coins: (key, valueSat) => fundConfirmed(rpc, key, valueSat),
    exited: regtest.exited,
    stop: () => regtest.stop(),
  };
}

/** Connects to an external bitcoind, which must be on regtest. */
export async function connectExternalChain(bitcoind: ExternalBitcoind): Promise<DemoChain> {
  const credentials = { user: bitcoind.user, password: bitcoind.password };
  const rpc = new RpcClient(bitcoind.url, credentials);
  let chain: string;
  try {
    chain = (await rpc.call<{ chain: string }>('getblockchaininfo')).chain;
  } catch (e) {
    throw new Error(
      `cannot reach bitcoind at ${bitcoind.url}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (chain !== 'regtest')
    throw new Error(`bitcoind at ${bitcoind.url} is on ${chain}; the demo runs on regtest only`);
  return {
    name: 'bitcoind',
    pid: undefined,
    url: bitcoind.url,
    credentials,
    rpc,
    coins: async (key, valueSat) => {
      const output = await walletPayment(rpc, key.address, key.script, valueSat);
      await mine(rpc, 1);
      return { ...output, key };
    },
    exited: new Promise(() => {}),
    stop: async () => {},
  };
}

/** Pays `valueSat` to `address` from bitcoind's wallet; returns the output (unconfirmed). */
async function walletPayment(
  rpc: RpcClient,
  address: string,
  script: Uint8Array,
  valueSat: bigint,
): Promise<{ txid: Uint8Array; vout: number; valueSat: bigint }> {
  let txid: string;
  try {
    txid = await rpc.call<string>('sendtoaddress', address, btcString(valueSat));
  } catch (e) {
    const reason = e instanceof RpcCallError ? e.message : String(e);
    throw new Error(
      `bitcoind's wallet could not fund the channel (sendtoaddress: ${reason}); load a funded wallet`,
    );
  }
  const tx = await fetchTx(rpc, txid);
  const vout = tx.outputs.findIndex((o) => equalBytes(o.scriptPubKey, script) && o.valueSat === valueSat);
  return { txid: txidFromHex(txid), vout, valueSat };
}
