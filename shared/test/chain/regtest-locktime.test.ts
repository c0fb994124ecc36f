/**
 * vigil-regtest over HTTP: the boundaries of time locks, each one block before and at the point
 * where bitcoind starts accepting: coinbase maturity (100 blocks), absolute height locktime,
 * BIP 113 (time locktime against median time past, not block time), the sequence-final escape,
 * and BIP 68 relative locks by height and by time. The mock clock sets block times exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { txid, type TxOut } from '../../src/bitcoin/tx.js';
import { SEQUENCE_LOCKTIME_TYPE_FLAG } from '../../src/chain/regtest/locktime.js';
import {
  fundConfirmed,
  height,
  mine,
  startTestNode,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import type { RpcClient } from '@vigil/test/support/regtest/rpc-client';
import { signSpend, testKey, txHex, type OwnedOutput } from '@vigil/test/support/regtest/test-wallet';

let node: TestNode;
let rpc: RpcClient;

beforeAll(async () => {
  node = await startTestNode();
  rpc = node.rpc;
});

afterAll(() => node.regtest.stop());

const alice = testKey('locktime alice');
const bob = testKey('locktime bob');

function toBob(valueSat: bigint): TxOut {
  return { valueSat, scriptPubKey: bob.script };
}

/** testmempoolaccept's verdict: true, or the reject reason. */
async function verdict(txHex: string): Promise<true | string> {
  const [result] = await rpc.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [
    txHex,
  ]);
  return result!.allowed ? true : result!['reject-reason']!;
}

async function medianTimePast(): Promise<number> {
  return (await rpc.call<{ mediantime: number }>('getblockchaininfo')).mediantime;
}

/** Mines 6 blocks at mock time `time`: then the median of the last 11 block times is exactly `time`. */
async function setMedianTimePast(time: number): Promise<void> {
  await rpc.call('setmocktime', time);
  await mine(rpc, 6);
  expect(await medianTimePast()).toBe(time);
}

describe('coinbase maturity', () => {
  it('a coinbase output is spendable by the block 100 blocks after it: rejected at depth 99, accepted at 100', async () => {
    const [hash] = await rpc.call<string[]>('generatetoaddress', 1, alice.address);
    const block = await rpc.call<{ height: number; tx: { txid: string; vout: { value: number }[] }[] }>(
      'getblock',
      hash,
      2,
    );
    const coinbase = block.tx[0]!;
    const coin: OwnedOutput = {
      txid: fromHex(coinbase.txid).reverse(),
      vout: 0,
      valueSat: BigInt(Math.round(coinbase.vout[0]!.value * 1e8)),
      key: alice,
    };
    const spend = txHex(signSpend([coin], [toBob(coin.valueSat - 10_000n)]));
    await mine(rpc, 98);
    // The next block would be at depth 99 from the coinbase's block.
    expect(await height(rpc)).toBe(block.height + 98);
    expect(await verdict(spend)).toBe('bad-txns-premature-spend-of-coinbase');
    const error = await rpc.callError('sendrawtransaction', spend);
    expect([error.code, error.message]).toEqual([
      -26,
      'bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 99',
    ]);
    await mine(rpc, 1);
    expect(await verdict(spend)).toBe(true);
    expect((await rpc.call<{ coinbase: boolean }>('gettxout', coinbase.txid, 0)).coinbase).toBe(true);
  });
});

describe('absolute locktime (nLockTime)', () => {
  it('a height locktime L is final once the tip is at L (the next block is above it)', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const locktime = (await height(rpc)) + 2;
    const tx = txHex(signSpend([coin], [toBob(49_000n)], { locktime }));
    await mine(rpc, 1);
    expect(await height(rpc)).toBe(locktime - 1);
    expect(await verdict(tx)).toBe('non-final');
    await mine(rpc, 1);
    expect(await verdict(tx)).toBe(true);
  });

  it('BIP 113: a time locktime is compared with the median time past, not the tip time', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const locktime = (await medianTimePast()) + 3600;
    const tx = txHex(signSpend([coin], [toBob(49_000n)], { locktime }));
    // A tip stamped after the locktime is not enough while the median is still before it.
    await rpc.call('setmocktime', locktime + 600);
    await mine(rpc, 1);
    const tip = await rpc.call<{ time: number; mediantime: number }>('getblockchaininfo');
    expect(tip.time).toBeGreaterThan(locktime);
    expect(tip.mediantime).toBeLessThan(locktime);
    expect(await verdict(tx)).toBe('non-final');
    // Final only when the locktime is strictly below the median time past.
    await setMedianTimePast(locktime + 600);
    expect(await verdict(tx)).toBe(true);
  });

  it('BIP 113 boundary: median time past equal to the locktime is not enough, one second more is', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const locktime = (await medianTimePast()) + 7200;
    const tx = txHex(signSpend([coin], [toBob(49_000n)], { locktime }));
    await setMedianTimePast(locktime);
    expect(await verdict(tx)).toBe('non-final');
    await setMedianTimePast(locktime + 1);
    expect(await verdict(tx)).toBe(true);
  });

  it('a transaction whose inputs all have final sequences ignores its locktime', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const locktime = (await height(rpc)) + 100;
    expect(
      await verdict(txHex(signSpend([coin], [toBob(49_000n)], { locktime, sequence: 0xffff_ffff }))),
    ).toBe(true);
  });
});

describe('BIP 68 relative locktime', () => {
  it('by height: an output confirmed at height h with sequence 5 is spendable by the block at h + 5', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const confirmedAt = await height(rpc);
    const tx = txHex(signSpend([coin], [toBob(49_000n)], { sequence: 5 }));
    await mine(rpc, 3);
    // The next block is h + 4.
    expect(await verdict(tx)).toBe('non-BIP68-final');
    const error = await rpc.callError('sendrawtransaction', tx);
    expect([error.code, error.message]).toEqual([-26, 'non-BIP68-final']);
    await mine(rpc, 1);
    expect(await height(rpc)).toBe(confirmedAt + 4);
    expect(await verdict(tx)).toBe(true);
  });

  it('does not apply to version 1 transactions', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    expect(await verdict(txHex(signSpend([coin], [toBob(49_000n)], { sequence: 5, version: 1 })))).toBe(true);
  });

  it('by time: 512 seconds after the median time past of the block before the coin, not one second less', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const confirmedAt = await height(rpc);
    const before = await rpc.call<{ mediantime: number }>(
      'getblockheader',
      await rpc.call('getblockhash', confirmedAt - 1),
    );
    const coinTime = before.mediantime;
    const tx = txHex(signSpend([coin], [toBob(49_000n)], { sequence: SEQUENCE_LOCKTIME_TYPE_FLAG | 1 }));
    await setMedianTimePast(coinTime + 511);
    expect(await verdict(tx)).toBe('non-BIP68-final');
    await setMedianTimePast(coinTime + 512);
    expect(await verdict(tx)).toBe(true);
  });

  it('applies to unconfirmed parents too: their coins count as created in the next block', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const parent = signSpend([coin], [toBob(49_000n)]);
    await rpc.call('sendrawtransaction', txHex(parent));
    const parentOutput: OwnedOutput = { txid: txid(parent), vout: 0, valueSat: 49_000n, key: bob };
    // A lock of 0 lets parent and child share the next block; a lock of 1 needs the parent a block deep.
    expect(await verdict(txHex(signSpend([parentOutput], [toBob(48_000n)], { sequence: 0 })))).toBe(true);
    expect(await verdict(txHex(signSpend([parentOutput], [toBob(48_000n)], { sequence: 1 })))).toBe(
      'non-BIP68-final',
    );
    await mine(rpc, 1);
  });
});
