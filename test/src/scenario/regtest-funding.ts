/**
 * A ChannelPair funded on the regtest chain (BOLT 2 "Channel Establishment"): a confirmed faucet
 * output of a test key (or one from another coin source, e.g. a bitcoind wallet) pays the
 * channel's funding output in a transaction signed by the test wallet, handed to the opener for
 * `funding_created`; once the opener releases it (after its monitors hold the channel), it is
 * broadcast and mined to the channel's minimum depth.
 */
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import { CONFIG, type FundingTx } from '../fixtures/channel-pair.js';
import { confirmations, fundConfirmed, mine, type TestNode } from '../support/regtest/regtest-fixture.js';
import { type OwnedOutput, signSpend, type TestKey, testKey, txHex } from '../support/regtest/test-wallet.js';

/** What the funding transaction pays in fees (about 45 sat/vB: one P2WPKH input, one output). */
const FUNDING_FEE_SAT = 5_000n;

export interface RegtestFunding {
  /** For ChannelPair's `fundingTx` option: pays exactly `fundingSat` to the channel, output 0. */
  build(scriptPubKey: Uint8Array, valueSat: bigint): FundingTx;
  /** For `openFrozen` (frozen-channel.ts): broadcasts `tx`, mines the minimum depth, returns the depth. */
  confirm(tx: Transaction): Promise<number>;
}

/** Pays `valueSat` to `key` and returns that output once confirmed. */
export type CoinSource = (key: TestKey, valueSat: bigint) => Promise<OwnedOutput>;

/**
 * Funds (and confirms) an output for a channel of `fundingSat`, from `coins` (default: the regtest
 * node's faucet). Only the node's RPC is used, so the node may run in another process.
 */
export async function regtestFunding(
  node: Pick<TestNode, 'rpc'>,
  fundingSat: bigint,
  coins: CoinSource = (key, valueSat) => fundConfirmed(node.rpc, key, valueSat),
): Promise<RegtestFunding> {
  const coin = await coins(testKey('scenario funder'), fundingSat + FUNDING_FEE_SAT);
  return {
    build(scriptPubKey, valueSat) {
      if (valueSat !== fundingSat) {
        throw new Error(`the channel asks for ${valueSat} sat; the funding coin funds ${fundingSat}`);
      }
      return { tx: signSpend([coin], [{ valueSat, scriptPubKey }]), outputIndex: 0 };
    },
    async confirm(tx) {
      await node.rpc.call('sendrawtransaction', txHex(tx));
      await mine(node.rpc, CONFIG.minimumDepth);
      return confirmations(node.rpc, tx);
    },
  };
}
