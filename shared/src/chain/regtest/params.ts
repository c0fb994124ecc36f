/**
 * Regtest chain parameters, as bitcoind's `CRegTestParams` (kernel/chainparams.cpp) sets them: the
 * genesis block, the proof-of-work limit (compact 0x207fffff, no retargeting), the block subsidy with
 * its 150-block halving, coinbase maturity, and every soft fork (BIP 34, 65, 66, 68/112/113, 141,
 * 341) active from height 1.
 */
import { fromHex } from '../../bytes.js';
import { blockMerkleRoot, type Block } from '../../bitcoin/block.js';
import type { Transaction } from '../../bitcoin/tx.js';
import { COIN } from './money.js';

/** Blocks a coinbase output must wait before it can be spent (COINBASE_MATURITY). */
export const COINBASE_MATURITY = 100;
/** Regtest's `nSubsidyHalvingInterval`. */
export const SUBSIDY_HALVING_INTERVAL = 150;
/** Regtest's compact target, never retargeted. */
export const REGTEST_BITS = 0x207f_ffff;
/** Regtest's `powLimit`: the target REGTEST_BITS decodes to. */
export const POW_LIMIT = 0x7f_ffffn << 232n;
/** A block may be at most this many seconds ahead of the node's clock (MAX_FUTURE_BLOCK_TIME). */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Blocks whose times give the median time past (BIP 113). */
export const MEDIAN_TIME_SPAN = 11;
/** Lowest block version once BIP 34, 66 and 65 are active (all from height 1 on regtest). */
export const MIN_BLOCK_VERSION = 4;
/** The version bitcoind's miner uses: BIP 9 top bits, no deployment signalled. */
export const MINER_BLOCK_VERSION = 0x2000_0000;

/** Block subsidy at `height`: 50 BTC halved every SUBSIDY_HALVING_INTERVAL blocks (GetBlockSubsidy). */
export function blockSubsidySat(height: number): bigint {
  const halvings = Math.floor(height / SUBSIDY_HALVING_INTERVAL);
  if (halvings >= 64) return 0n;
  return (50n * COIN) >> BigInt(halvings);
}

const GENESIS_COINBASE: Transaction = {
  version: 1,
  inputs: [
    {
      prevout: { txid: new Uint8Array(32), vout: 0xffff_ffff },
      // "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks"
      scriptSig: fromHex(
        '04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73',
      ),
      sequence: 0xffff_ffff,
      witness: [],
    },
  ],
  outputs: [
    {
      valueSat: 50n * COIN,
      scriptPubKey: fromHex(
        '4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac',
      ),
    },
  ],
  locktime: 0,
};

/** The regtest genesis block (hash 0f9188f1...2206). Its coinbase output is never spendable. */
export const GENESIS_BLOCK: Block = {
  header: {
    version: 1,
    prevBlockHash: new Uint8Array(32),
    merkleRoot: blockMerkleRoot([GENESIS_COINBASE]).root,
    time: 1_296_688_602,
    bits: REGTEST_BITS,
    nonce: 2,
  },
  transactions: [GENESIS_COINBASE],
};
