/**
 * The node's building blocks without HTTP: bitcoind's output classification (`Solver`) and dust
 * thresholds, the deterministic fee estimate, ancestor-feerate block assembly (a child pays for its
 * parent), and the first-seen rule between chains of equal work.
 */
import { describe, expect, it } from 'vitest';
import { blockHash } from '../../src/bitcoin/block.js';
import { OP } from '../../src/bitcoin/opcodes.js';
import {
  p2pkhScript,
  p2shScript,
  p2trScript,
  p2wshScript,
  witnessProgramScript,
} from '../../src/bitcoin/output-scripts.js';
import { compileScript } from '../../src/bitcoin/script.js';
import { txid, type Transaction } from '../../src/bitcoin/tx.js';
import { toHex } from '../../src/bytes.js';
import { assembleBlock, mineBlock } from '../../src/chain/regtest/block-assembler.js';
import { estimateFeeRate } from '../../src/chain/regtest/fee-estimator.js';
import { RegtestNode } from '../../src/chain/regtest/node.js';
import { solveOutputScript } from '../../src/chain/regtest/output-type.js';
import { dustThresholdSat } from '../../src/chain/regtest/policy.js';
import { flipHashHex } from '../../src/chain/regtest/prepared-tx.js';
import { TEST_MOCK_TIME } from '@vigil/test/support/regtest/regtest-fixture';
import { signSpend, testKey, txidHex, type OwnedOutput } from '@vigil/test/support/regtest/test-wallet';

const alice = testKey('policy alice');
const key33 = new Uint8Array(33).fill(2);

describe('output types (Solver)', () => {
  it.each([
    ['pubkey', compileScript([key33, OP.CHECKSIG])],
    ['pubkeyhash', p2pkhScript(new Uint8Array(20))],
    ['scripthash', p2shScript(new Uint8Array(20))],
    ['multisig', compileScript([OP['2'], key33, key33, key33, OP['3'], OP.CHECKMULTISIG])],
    ['nulldata', compileScript([OP.RETURN, Uint8Array.of(1, 2)])],
    ['witness_v0_keyhash', alice.script],
    ['witness_v0_scripthash', p2wshScript(Uint8Array.of(OP['1']))],
    ['witness_v1_taproot', p2trScript(new Uint8Array(32).fill(1))],
    ['witness_unknown', witnessProgramScript(2, new Uint8Array(20))],
    ['nonstandard', compileScript([OP['1'], OP.ADD])],
    ['nonstandard', compileScript([OP['3'], key33, key33, OP['2'], OP.CHECKMULTISIG])],
  ])('classifies %s', (type, script) => {
    expect(solveOutputScript(script).type).toBe(type);
  });
});

describe('dust thresholds at 3000 sat/kvB', () => {
  it.each([
    ['P2WPKH', alice.script, 294n],
    ['P2WSH', p2wshScript(Uint8Array.of(OP['1'])), 330n],
    ['P2TR', p2trScript(new Uint8Array(32).fill(1)), 330n],
    ['P2PKH', p2pkhScript(new Uint8Array(20)), 546n],
    ['P2SH', p2shScript(new Uint8Array(20)), 540n],
    ['OP_RETURN', compileScript([OP.RETURN]), 0n],
  ])('%s: %i sat', (_name, script, threshold) => {
    expect(dustThresholdSat({ valueSat: 0n, scriptPubKey: script })).toBe(threshold);
  });
});

describe('fee estimate', () => {
  const floor = 1000n;

  it('is the floor with nothing to go on', () => {
    expect(estimateFeeRate(2, { recentBlockFeeRates: [], mempool: [], floor })).toBe(1000n);
  });

  it('follows the median feerate of recent blocks', () => {
    expect(estimateFeeRate(2, { recentBlockFeeRates: [5000n, 2000n, 9000n], mempool: [], floor })).toBe(
      5000n,
    );
  });

  it('outbids the mempool backlog beyond the target, and asks less for a later target', () => {
    const mempool = Array.from({ length: 30 }, (_, i) => ({
      feeRate: BigInt(10_000 + i * 1000),
      vsize: 100_000,
    }));
    const soon = estimateFeeRate(1, { recentBlockFeeRates: [], mempool, floor });
    const later = estimateFeeRate(2, { recentBlockFeeRates: [], mempool, floor });
    expect(soon).toBe(29_001n);
    expect(later).toBe(19_001n);
    expect(estimateFeeRate(3, { recentBlockFeeRates: [], mempool, floor })).toBe(1000n);
  });
});

describe('block assembly and chain selection', () => {
  function output(tx: Transaction, vout: number, key = alice): OwnedOutput {
    return { txid: txid(tx), vout, valueSat: tx.outputs[vout]!.valueSat, key };
  }

  it('mines by ancestor feerate: a high-fee child pulls its low-fee parent ahead of a mid-fee transaction', () => {
    const node = new RegtestNode({ mockTime: TEST_MOCK_TIME });
    const limits = { maxFeeRate: 0n, maxBurnSat: 0n };
    const funding = node.findTransaction(flipHashHex(node.faucet(alice.script, 300_000n)))!.p.tx;
    const splitIndex = funding.outputs.findIndex((o) => o.valueSat === 300_000n);
    const split = signSpend(
      [output(funding, splitIndex)],
      [
        { valueSat: 100_000n, scriptPubKey: alice.script },
        { valueSat: 100_000n, scriptPubKey: alice.script },
        { valueSat: 99_000n, scriptPubKey: alice.script },
      ],
    );
    node.sendRawTransaction(split, limits);
    node.generateToScript(1, alice.script);
    const parent = signSpend([output(split, 0)], [{ valueSat: 99_800n, scriptPubKey: alice.script }]);
    const child = signSpend([output(parent, 0)], [{ valueSat: 89_800n, scriptPubKey: alice.script }]);
    const middle = signSpend([output(split, 1)], [{ valueSat: 98_000n, scriptPubKey: alice.script }]);
    for (const tx of [parent, middle, child]) node.sendRawTransaction(tx, limits);
    const [mined] = node.generateToScript(1, alice.script);
    expect(mined!.transactions.slice(1).map((p) => flipHashHex(p.txidKey))).toEqual(
      [parent, child, middle].map(txidHex),
    );
  });

  it('keeps the first-seen tip against a block of equal work ("inconclusive"), and takes a longer branch', () => {
    const node = new RegtestNode({ mockTime: TEST_MOCK_TIME, initialBlocks: 3 });
    const tip = node.tip;
    const rival = mineBlock(
      assembleBlock({
        prevHash: tip.prev!.hash,
        height: tip.height,
        time: tip.block.header.time + 1,
        payoutScript: alice.script,
        transactions: [],
        feesSat: 0n,
      }),
    )!;
    expect(node.submitBlock(rival)).toBe('inconclusive');
    expect(node.tip).toBe(tip);
    const rivalEntry = node.chain.entry(toHex(blockHash(rival.header)))!;
    const extension = mineBlock(
      assembleBlock({
        prevHash: rivalEntry.hash,
        height: rivalEntry.height + 1,
        time: rival.header.time + 1,
        payoutScript: alice.script,
        transactions: [],
        feesSat: 0n,
      }),
    )!;
    expect(node.submitBlock(extension)).toBeUndefined();
    expect(node.tip.prev).toBe(rivalEntry);
  });
});

describe('faucet', () => {
  it('starts with a coinbase split into confirmed coins and pays many times before a block', () => {
    const node = new RegtestNode({ mockTime: TEST_MOCK_TIME });
    expect(node.tip.height).toBe(101);
    expect(node.tip.transactions[1]!.tx.outputs).toHaveLength(50);
    for (let i = 0; i < 40; i++) node.faucet(testKey(`faucet ${i}`).script, 10_000_000n);
    expect(node.mempool.size).toBe(40);
    // Each payment spent a confirmed coin of its own: no chains of unconfirmed change.
    expect(node.mempool.entries().every((e) => node.mempool.parents(e).length === 0)).toBe(true);
    expect(() => node.faucet(alice.script, 60n * 100_000_000n)).not.toThrow();
  });
});
