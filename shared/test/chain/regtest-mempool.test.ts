/**
 * vigil-regtest over HTTP: mempool acceptance. A valid spend goes through the mempool into a block
 * and its outputs into gettxout; each rejection carries bitcoind's reason string and error code;
 * BIP 125 replacement; mempool chains and ancestor-feerate mining; sendrawtransaction's limits and
 * the faucet's errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDerWithSighash, encodeDerWithSighash } from '../../src/bitcoin/der.js';
import { hash160 } from '../../src/bitcoin/hash.js';
import { OP } from '../../src/bitcoin/opcodes.js';
import { p2pkhScript, p2shScript, p2trScript, p2wshScript } from '../../src/bitcoin/output-scripts.js';
import { compileScript } from '../../src/bitcoin/script.js';
import { txid as txidOf, withInputWitness, type Transaction, type TxOut } from '../../src/bitcoin/tx.js';
import { concatBytes, toHex } from '../../src/bytes.js';
import { RegtestNode } from '../../src/chain/regtest/node.js';
import { formatMoney } from '../../src/chain/regtest/money.js';
import { flipHashHex, prepareTx } from '../../src/chain/regtest/prepared-tx.js';
import {
  btcString,
  fund,
  fundConfirmed,
  mine,
  startTestNode,
  TEST_MOCK_TIME,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import type { RpcClient } from '@vigil/test/support/regtest/rpc-client';
import {
  outpointTxidHex,
  signSpend,
  testKey,
  txHex,
  txidHex,
  type OwnedOutput,
} from '@vigil/test/support/regtest/test-wallet';

let node: TestNode;
let rpc: RpcClient;

beforeAll(async () => {
  node = await startTestNode();
  rpc = node.rpc;
});

afterAll(() => node.regtest.stop());

const alice = testKey('mempool alice');
const bob = testKey('mempool bob');
const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

function pay(script: Uint8Array, valueSat: bigint): TxOut {
  return { valueSat, scriptPubKey: script };
}

/** The output `vout` of `tx`, owned by `key`, as something a test can spend. */
function outputOf(tx: Transaction, vout: number, key = bob): OwnedOutput {
  return { txid: txidOf(tx), vout, valueSat: tx.outputs[vout]!.valueSat, key };
}

interface AcceptResult {
  txid: string;
  wtxid: string;
  allowed: boolean;
  vsize?: number;
  fees?: { base: number; 'effective-feerate': number; 'effective-includes': string[] };
  'reject-reason'?: string;
}

async function testAccept(tx: Transaction, maxFeeRate?: number | string): Promise<AcceptResult> {
  const params: unknown[] = [[txHex(tx)]];
  if (maxFeeRate !== undefined) params.push(maxFeeRate);
  const [result] = await rpc.call<AcceptResult[]>('testmempoolaccept', ...params);
  return result!;
}

/**
 * Asserts bitcoind's answers to a transaction it refuses: testmempoolaccept's reject-reason, and
 * sendrawtransaction's error code and message (`reason` or `reason, details`).
 */
async function expectRejected(
  tx: Transaction,
  reason: string,
  code = -26,
  message: string | RegExp = reason,
) {
  const result = await testAccept(tx);
  expect(result.allowed).toBe(false);
  expect(result['reject-reason']).toBe(code === -25 ? 'missing-inputs' : reason);
  const error = await rpc.callError('sendrawtransaction', txHex(tx));
  expect(error.code).toBe(code);
  if (typeof message === 'string') expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
}

describe('a valid spend', () => {
  it('is accepted, shows in the mempool, is mined, and its outputs appear in gettxout', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const tx = signSpend([coin], [pay(bob.script, 90_000n)]);
    const id = txidHex(tx);

    const accepted = await testAccept(tx);
    expect(accepted).toEqual({
      txid: id,
      wtxid: accepted.wtxid,
      allowed: true,
      vsize: prepareTx(tx).vsize,
      fees: {
        base: 0.0001,
        'effective-feerate': Number(btcString((10_000n * 1000n) / BigInt(prepareTx(tx).vsize))),
        'effective-includes': [accepted.wtxid],
      },
    });
    expect(await rpc.call('sendrawtransaction', txHex(tx))).toBe(id);
    expect(await rpc.call('getrawmempool')).toContain(id);
    const entry = await rpc.call<Record<string, unknown>>('getmempoolentry', id);
    expect(entry).toMatchObject({
      vsize: prepareTx(tx).vsize,
      weight: prepareTx(tx).weight,
      time: TEST_MOCK_TIME,
      fees: { base: 0.0001, modified: 0.0001, ancestor: 0.0001, descendant: 0.0001 },
      depends: [],
      spentby: [],
      'bip125-replaceable': true,
      unbroadcast: false,
    });
    expect((await rpc.call<Record<string, unknown>>('getrawmempool', true))[id]).toEqual(entry);

    const coinTxid = outpointTxidHex(coin);
    expect(await rpc.call('gettxout', id, 0)).toMatchObject({ confirmations: 0, value: 0.0009 });
    expect(await rpc.call('gettxout', id, 0, false)).toBeNull();
    expect(await rpc.call('gettxout', coinTxid, coin.vout)).toBeNull();
    expect(await rpc.call('gettxout', coinTxid, coin.vout, false)).toMatchObject({ value: 0.001 });

    const [hash] = await mine(rpc, 1);
    expect((await rpc.call<{ tx: string[] }>('getblock', hash)).tx).toContain(id);
    expect(await rpc.call('getrawmempool')).not.toContain(id);
    expect(await rpc.call('gettxout', id, 0)).toEqual({
      bestblock: hash,
      confirmations: 1,
      value: 0.0009,
      scriptPubKey: {
        asm: `0 ${toHex(bob.script.subarray(2))}`,
        desc: expect.stringMatching(new RegExp(`^addr\\(${bob.address}\\)#[a-z0-9]{8}$`)),
        hex: toHex(bob.script),
        address: bob.address,
        type: 'witness_v0_keyhash',
      },
      coinbase: false,
    });
    expect(await rpc.call('gettxout', coinTxid, coin.vout, false)).toBeNull();
    expect(await rpc.call('getrawtransaction', id, true)).toMatchObject({
      txid: id,
      hex: txHex(tx),
      blockhash: hash,
      confirmations: 1,
    });
    expect(await rpc.call('getrawtransaction', id, 2)).toMatchObject({
      fee: 0.0001,
      vin: [{ prevout: { generated: false, value: 0.001, scriptPubKey: { address: alice.address } } }],
    });
  });

  it('gives bitcoind answers when sent again: the txid while pooled, -27 once confirmed', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const tx = signSpend([coin], [pay(bob.script, 49_000n)]);
    await rpc.call('sendrawtransaction', txHex(tx));
    expect(await rpc.call('sendrawtransaction', txHex(tx))).toBe(txidHex(tx));
    expect((await testAccept(tx))['reject-reason']).toBe('txn-already-in-mempool');
    await mine(rpc, 1);
    const error = await rpc.callError('sendrawtransaction', txHex(tx));
    expect([error.code, error.message]).toEqual([-27, 'Transaction outputs already in utxo set']);
    expect((await testAccept(tx))['reject-reason']).toBe('txn-already-known');
  });
});

describe('rejections carry bitcoind reason strings', () => {
  it('bad-txns-inputs-missingorspent (-25; testmempoolaccept: missing-inputs) for an unknown input', async () => {
    const ghost: OwnedOutput = {
      txid: new Uint8Array(32).fill(0x42),
      vout: 0,
      valueSat: 10_000n,
      key: alice,
    };
    await expectRejected(signSpend([ghost], [pay(bob.script, 9000n)]), 'bad-txns-inputs-missingorspent', -25);
  });

  it('bad-txns-inputs-missingorspent for an output already spent in a block', async () => {
    const coin = await fundConfirmed(rpc, alice, 30_000n);
    await rpc.call('sendrawtransaction', txHex(signSpend([coin], [pay(bob.script, 29_000n)])));
    await mine(rpc, 1);
    await expectRejected(
      signSpend([coin], [pay(alice.script, 28_000n)]),
      'bad-txns-inputs-missingorspent',
      -25,
    );
  });

  it('bad-txns-in-belowout when outputs exceed inputs', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const tx = signSpend([coin], [pay(bob.script, 100_001n)]);
    await expectRejected(
      tx,
      'bad-txns-in-belowout',
      -26,
      'bad-txns-in-belowout, value in (0.001) < value out (0.00100001)',
    );
  });

  it('bad-txns-vout-negative for a value with the sign bit set, bad-txns-vout-toolarge above MAX_MONEY', async () => {
    const coin = await fundConfirmed(rpc, alice, 20_000n);
    await expectRejected(
      signSpend([coin], [pay(bob.script, 0xffff_ffff_ffff_ffffn)]),
      'bad-txns-vout-negative',
    );
    await expectRejected(
      signSpend([coin], [pay(bob.script, 2_100_000_000_000_001n)]),
      'bad-txns-vout-toolarge',
    );
  });

  it('bad-txns-inputs-duplicate when one output is spent twice', async () => {
    const coin = await fundConfirmed(rpc, alice, 20_000n);
    await expectRejected(signSpend([coin, coin], [pay(bob.script, 30_000n)]), 'bad-txns-inputs-duplicate');
  });

  it('min relay fee not met below 1 sat/vB', async () => {
    const coin = await fundConfirmed(rpc, alice, 20_000n);
    const tx = signSpend([coin], [pay(bob.script, 20_000n)]);
    const vsize = prepareTx(tx).vsize;
    await expectRejected(tx, 'min relay fee not met', -26, `min relay fee not met, 0 < ${vsize}`);
  });

  it('mempool min fee not met once setmempoolminfee raises the floor, and fine again after', async () => {
    const coin = await fundConfirmed(rpc, alice, 20_000n);
    const tx = signSpend([coin], [pay(bob.script, 19_000n)]);
    const vsize = prepareTx(tx).vsize;
    await rpc.call('setmempoolminfee', 0.0002);
    try {
      expect(await rpc.call('getmempoolinfo')).toMatchObject({
        mempoolminfee: 0.0002,
        minrelaytxfee: 0.00001,
      });
      await expectRejected(
        tx,
        'mempool min fee not met',
        -26,
        `mempool min fee not met, 1000 < ${vsize * 20}`,
      );
    } finally {
      await rpc.call('setmempoolminfee', 0);
    }
    expect((await testAccept(tx)).allowed).toBe(true);
  });

  it('setmempoolminfee evicts what pays less than the new floor, with its descendants', async () => {
    const coin = await fundConfirmed(rpc, alice, 40_000n);
    const cheap = signSpend([coin], [pay(alice.script, 39_000n)]); // ~9 sat/vB
    await rpc.call('sendrawtransaction', txHex(cheap));
    const child = signSpend(
      [{ txid: txidOf(cheap), vout: 0, valueSat: 39_000n, key: alice }],
      [pay(bob.script, 30_000n)],
    );
    await rpc.call('sendrawtransaction', txHex(child));
    const rich = signSpend([await fundConfirmed(rpc, alice, 40_000n)], [pay(bob.script, 20_000n)]);
    await rpc.call('sendrawtransaction', txHex(rich));
    try {
      await rpc.call('setmempoolminfee', 0.0002);
      const pool = await rpc.call<string[]>('getrawmempool');
      expect(pool).not.toContain(txidHex(cheap));
      expect(pool).not.toContain(txidHex(child));
      expect(pool).toContain(txidHex(rich));
    } finally {
      await rpc.call('setmempoolminfee', 0);
    }
  });

  it.each([
    ['P2WPKH', 294, bob.script],
    ['P2WSH', 330, p2wshScript(Uint8Array.of(OP['1']))],
    ['P2TR', 330, p2trScript(new Uint8Array(32).fill(2))],
    ['P2PKH', 546, p2pkhScript(hash160(bob.pubkey))],
    ['P2SH', 540, p2shScript(hash160(Uint8Array.of(OP['1'])))],
  ])('dust: a %s output below %i sat is dust, at it is not', async (_type, satoshis, script) => {
    const coin = await fundConfirmed(rpc, alice, 20_000n);
    const threshold = BigInt(satoshis);
    await expectRejected(signSpend([coin], [pay(script, threshold - 1n)]), 'dust');
    expect((await testAccept(signSpend([coin], [pay(script, threshold)]))).allowed).toBe(true);
  });

  it('txn-mempool-conflict for a double spend of a transaction that does not signal BIP 125', async () => {
    const coin = await fundConfirmed(rpc, alice, 40_000n);
    await rpc.call(
      'sendrawtransaction',
      txHex(signSpend([coin], [pay(bob.script, 39_000n)], { sequence: 0xffff_fffe })),
    );
    await expectRejected(signSpend([coin], [pay(alice.script, 30_000n)]), 'txn-mempool-conflict');
  });

  it('mandatory-script-verify-flag-failed for a signature over the wrong amount', async () => {
    const coin = await fundConfirmed(rpc, alice, 40_000n);
    const tx = signSpend([{ ...coin, valueSat: coin.valueSat + 1n }], [pay(bob.script, 39_000n)]);
    await expectRejected(
      tx,
      'mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)',
    );
  });

  it('non-mandatory-script-verify-flag for a high-S signature (valid by consensus, not by policy)', async () => {
    const coin = await fundConfirmed(rpc, alice, 40_000n);
    const tx = signSpend([coin], [pay(bob.script, 39_000n)]);
    const { sig, sighashType } = decodeDerWithSighash(tx.inputs[0]!.witness[0]!, 'sig');
    const s = BigInt(`0x${toHex(sig.subarray(32))}`);
    const highS = Buffer.from((CURVE_ORDER - s).toString(16).padStart(64, '0'), 'hex');
    const malleated = withInputWitness(tx, 0, [
      encodeDerWithSighash(concatBytes(sig.subarray(0, 32), highS), sighashType),
      alice.pubkey,
    ]);
    await expectRejected(
      malleated,
      'non-mandatory-script-verify-flag (Non-canonical signature: S value is unnecessarily high)',
    );
  });

  it('non-final for a height locktime beyond the next block', async () => {
    const coin = await fundConfirmed(rpc, alice, 40_000n);
    const tip = await rpc.call<number>('getblockcount');
    await expectRejected(signSpend([coin], [pay(bob.script, 39_000n)], { locktime: tip + 2 }), 'non-final');
  });

  it('standardness: scriptpubkey, version, multi-op-return, tx-size-small', async () => {
    const coin = await fundConfirmed(rpc, alice, 40_000n);
    const nonstandard = compileScript([OP['1'], OP['1'], OP.ADD]);
    await expectRejected(signSpend([coin], [pay(nonstandard, 39_000n)]), 'scriptpubkey');
    await expectRejected(signSpend([coin], [pay(bob.script, 39_000n)], { version: 3 }), 'version');
    const data = compileScript([OP.RETURN, Uint8Array.of(1, 2, 3)]);
    await expectRejected(
      signSpend([coin], [pay(data, 0n), pay(data, 0n), pay(bob.script, 30_000n)]),
      'multi-op-return',
    );
    await expectRejected(signSpend([coin], [pay(compileScript([OP.RETURN]), 0n)]), 'tx-size-small');
  });

  it('too-long-mempool-chain at the 26th unconfirmed transaction', async () => {
    let coin = await fundConfirmed(rpc, bob, 100_000n);
    for (let i = 0; i < 25; i++) {
      const tx = signSpend([coin], [pay(bob.script, coin.valueSat - 500n)]);
      await rpc.call('sendrawtransaction', txHex(tx));
      coin = outputOf(tx, 0);
    }
    await expectRejected(
      signSpend([coin], [pay(bob.script, coin.valueSat - 500n)]),
      'too-long-mempool-chain',
      -26,
      'too-long-mempool-chain, too many unconfirmed ancestors [limit: 25]',
    );
    await mine(rpc, 1);
  });
});

describe('BIP 125 replacement (opt-in signalling)', () => {
  it('accepts a replacement paying more and at least the incremental relay fee on its own size', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const original = signSpend([coin], [pay(bob.script, 99_000n)]);
    await rpc.call('sendrawtransaction', txHex(original));
    // 100 sat more than the original's 1000: a higher feerate, but less than 1 sat/vB of its own size.
    const tooLittle = signSpend([coin], [pay(alice.script, 98_900n)]);
    const relayFee = BigInt(prepareTx(tooLittle).vsize);
    await expectRejected(
      tooLittle,
      'insufficient fee',
      -26,
      `insufficient fee, rejecting replacement ${txidHex(tooLittle)}, not enough additional fees to relay; ${formatMoney(100n)} < ${formatMoney(relayFee)}`,
    );
    const replacement = signSpend([coin], [pay(alice.script, 98_800n)]);
    expect(await rpc.call('sendrawtransaction', txHex(replacement))).toBe(txidHex(replacement));
    const gone = await rpc.callError('getmempoolentry', txidHex(original));
    expect([gone.code, gone.message]).toEqual([-5, 'Transaction not in mempool']);
  });

  it('rejects a replacement whose feerate is not higher (rule 6)', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    await rpc.call('sendrawtransaction', txHex(signSpend([coin], [pay(bob.script, 99_000n)])));
    const lower = signSpend([coin], [pay(alice.script, 99_100n)]);
    await expectRejected(
      lower,
      'insufficient fee',
      -26,
      /^insufficient fee, rejecting replacement [0-9a-f]{64}; new feerate 0\.0000\d{4} BTC\/kvB <= old feerate 0\.0000\d{4} BTC\/kvB$/,
    );
  });

  it('makes a replacement pay for the descendants it evicts (rules 3 and 4), then evicts them', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const parent = signSpend([coin], [pay(bob.script, 99_000n)]);
    const child = signSpend([outputOf(parent, 0)], [pay(bob.script, 94_000n)]);
    await rpc.call('sendrawtransaction', txHex(parent));
    await rpc.call('sendrawtransaction', txHex(child));
    const cheap = signSpend([coin], [pay(alice.script, 97_000n)]);
    await expectRejected(
      cheap,
      'insufficient fee',
      -26,
      `insufficient fee, rejecting replacement ${txidHex(cheap)}, less fees than conflicting txs; 0.00003 < 0.00006`,
    );
    const enough = signSpend([coin], [pay(alice.script, 93_800n)]);
    await rpc.call('sendrawtransaction', txHex(enough));
    expect(await rpc.call('getrawmempool')).not.toContain(txidHex(child));
    expect(await rpc.call('getrawmempool')).toContain(txidHex(enough));
  });

  it('rejects a replacement that adds an unconfirmed input (rule 2)', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const other = await fund(rpc, alice, 50_000n);
    await rpc.call('sendrawtransaction', txHex(signSpend([coin], [pay(bob.script, 99_000n)])));
    const tx = signSpend([coin, other], [pay(alice.script, 140_000n)]);
    await expectRejected(
      tx,
      'replacement-adds-unconfirmed',
      -26,
      `replacement-adds-unconfirmed, replacement ${txidHex(tx)} adds unconfirmed input, idx 1`,
    );
    await mine(rpc, 1);
  });

  it('reports bip125-replaceable: own signal, inherited from an ancestor, or none', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const final = signSpend([coin], [pay(bob.script, 99_000n)], { sequence: 0xffff_fffe });
    const signalling = signSpend([outputOf(final, 0)], [pay(bob.script, 98_000n)]);
    const inheriting = signSpend([outputOf(signalling, 0)], [pay(bob.script, 97_000n)], {
      sequence: 0xffff_fffe,
    });
    for (const tx of [final, signalling, inheriting]) await rpc.call('sendrawtransaction', txHex(tx));
    const replaceable = async (tx: Transaction) =>
      (await rpc.call<Record<string, unknown>>('getmempoolentry', txidHex(tx)))['bip125-replaceable'];
    expect([await replaceable(final), await replaceable(signalling), await replaceable(inheriting)]).toEqual([
      false,
      true,
      true,
    ]);
    await mine(rpc, 1);
  });

  it('with fullRbf (bitcoind 28 default) replaces a transaction that does not signal', () => {
    const regtest = new RegtestNode({ mockTime: TEST_MOCK_TIME, fullRbf: true });
    const limits = { maxFeeRate: 0n, maxBurnSat: 0n };
    const funding = regtest.findTransaction(flipHashHex(regtest.faucet(alice.script, 100_000n)))!.p.tx;
    const coin = outputOf(
      funding,
      funding.outputs.findIndex((o) => o.valueSat === 100_000n),
      alice,
    );
    regtest.sendRawTransaction(
      signSpend([coin], [pay(bob.script, 99_000n)], { sequence: 0xffff_fffe }),
      limits,
    );
    const replacement = signSpend([coin], [pay(bob.script, 98_000n)], { sequence: 0xffff_fffe });
    expect(regtest.sendRawTransaction(replacement, limits)).toBe(txidHex(replacement));
    expect(regtest.mempool.size).toBe(2);
  });
});

describe('mempool chains', () => {
  it('accepts a child of an unconfirmed parent and mines the pair parent first, the child paying for both', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const parent = signSpend([coin], [pay(bob.script, 100_000n - 200n)]);
    const child = signSpend([outputOf(parent, 0)], [pay(bob.script, 100_000n - 200n - 20_000n)]);
    await rpc.call('sendrawtransaction', txHex(parent));
    await rpc.call('sendrawtransaction', txHex(child));
    expect(await rpc.call('getmempoolentry', txidHex(child))).toMatchObject({
      ancestorcount: 2,
      depends: [txidHex(parent)],
      fees: { ancestor: 0.000202 },
    });
    expect(await rpc.call('getmempoolentry', txidHex(parent))).toMatchObject({
      descendantcount: 2,
      spentby: [txidHex(child)],
    });
    const [hash] = await mine(rpc, 1);
    const block = await rpc.call<{ tx: { txid: string; fee?: number }[] }>('getblock', hash, 2);
    const ids = block.tx.map((t) => t.txid);
    expect(ids.indexOf(txidHex(parent))).toBeGreaterThan(0);
    expect(ids.indexOf(txidHex(child))).toBe(ids.indexOf(txidHex(parent)) + 1);
    expect(block.tx.find((t) => t.txid === txidHex(child))!.fee).toBe(0.0002);
    expect(block.tx[0]!.fee).toBeUndefined();
  });
});

describe('sendrawtransaction limits', () => {
  it('refuses a fee above maxfeerate (-25, max-fee-exceeded) unless maxfeerate is 0', async () => {
    const coin = await fundConfirmed(rpc, alice, 10_000_000n);
    const tx = signSpend([coin], [pay(bob.script, 5_000_000n)]);
    const error = await rpc.callError('sendrawtransaction', txHex(tx));
    expect([error.code, error.message]).toEqual([
      -25,
      'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)',
    ]);
    expect((await testAccept(tx))['reject-reason']).toBe('max-fee-exceeded');
    expect((await testAccept(tx, 0)).allowed).toBe(true);
    const tooHigh = await rpc.callError('sendrawtransaction', txHex(tx), 1);
    expect([tooHigh.code, tooHigh.message]).toEqual([
      -8,
      'Fee rates larger than or equal to 1BTC/kvB are not accepted',
    ]);
    expect(await rpc.call('sendrawtransaction', txHex(tx), 0)).toBe(txidHex(tx));
  });

  it('refuses value burnt in an OP_RETURN output above maxburnamount', async () => {
    const coin = await fundConfirmed(rpc, alice, 20_000n);
    const burn = pay(compileScript([OP.RETURN, Uint8Array.of(7)]), 1000n);
    const tx = signSpend([coin], [burn, pay(bob.script, 18_000n)]);
    const error = await rpc.callError('sendrawtransaction', txHex(tx));
    expect([error.code, error.message]).toEqual([
      -25,
      'Unspendable output exceeds maximum configured by user (maxburnamount)',
    ]);
    expect(await rpc.call('sendrawtransaction', txHex(tx), null, '0.00001')).toBe(txidHex(tx));
  });
});

describe('faucet', () => {
  it('pays with a signed transaction through the mempool', async () => {
    const txid = await rpc.call<string>('faucet', alice.address, 1.5);
    const entry = await rpc.call<{ fees: { base: number }; 'bip125-replaceable': boolean }>(
      'getmempoolentry',
      txid,
    );
    expect(entry.fees.base).toBeGreaterThan(0);
    const decoded = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>(
      'getrawtransaction',
      txid,
      true,
    );
    expect(decoded.vout.find((o) => o.scriptPubKey.address === alice.address)!.value).toBe(1.5);
  });

  it('fails with bitcoind-style errors', async () => {
    const funds = await rpc.callError('faucet', alice.address, 20_000_000);
    expect([funds.code, funds.message]).toEqual([-6, 'Insufficient funds']);
    const address = await rpc.callError('faucet', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 1);
    expect([address.code, address.message]).toEqual([-5, 'Invalid address']);
    const amount = await rpc.callError('faucet', alice.address, 0);
    expect([amount.code, amount.message]).toEqual([-3, 'Invalid amount for send']);
    const precision = await rpc.callError('faucet', alice.address, '0.000000001');
    expect([precision.code, precision.message]).toEqual([-3, 'Invalid amount']);
    const dust = await rpc.callError('faucet', alice.address, '0.00000100');
    expect([dust.code, dust.message]).toEqual([-26, 'dust']);
  });
});
