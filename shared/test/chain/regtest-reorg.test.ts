/**
 * vigil-regtest over HTTP: reorganisations. invalidateblock disconnects blocks (undo data restores
 * what they spent) and returns their transactions to the mempool; a longer competing chain wins;
 * reconsiderblock brings a chain back when it has more work; a block confirming a double spend
 * evicts the conflicting mempool transaction; coinbase spends that a reorg makes immature leave the
 * mempool; submitblock answers with bitcoind's BIP 22 results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockMerkleRoot, decodeBlock, encodeBlock, type Block } from '../../src/bitcoin/block.js';
import { txid as txidOf, type Transaction, type TxOut } from '../../src/bitcoin/tx.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { mineBlock } from '../../src/chain/regtest/block-assembler.js';
import {
  fundConfirmed,
  height,
  mine,
  startTestNode,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import type { RpcClient } from '@vigil/test/support/regtest/rpc-client';
import {
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

const alice = testKey('reorg alice');
const bob = testKey('reorg bob');

function pay(script: Uint8Array, valueSat: bigint): TxOut {
  return { valueSat, scriptPubKey: script };
}

function firstOutput(tx: Transaction, key = bob): OwnedOutput {
  return { txid: txidOf(tx), vout: 0, valueSat: tx.outputs[0]!.valueSat, key };
}

interface ChainTip {
  height: number;
  hash: string;
  branchlen: number;
  status: string;
}

async function tipStatus(hash: string): Promise<ChainTip | undefined> {
  return (await rpc.call<ChainTip[]>('getchaintips')).find((t) => t.hash === hash);
}

async function mempool(): Promise<string[]> {
  return rpc.call<string[]>('getrawmempool');
}

describe('invalidateblock and reconsiderblock', () => {
  const txs: Transaction[] = [];
  const oldChain: string[] = [];
  let forkHeight = 0;
  let competing: string[] = [];

  beforeAll(async () => {
    const coin = await fundConfirmed(rpc, alice, 300_000n);
    forkHeight = await height(rpc);
    let spendable = coin;
    for (let i = 0; i < 3; i++) {
      const tx = signSpend([spendable], [pay(bob.script, spendable.valueSat - 1000n)]);
      await rpc.call('sendrawtransaction', txHex(tx));
      oldChain.push(...(await mine(rpc, 1)));
      txs.push(tx);
      spendable = firstOutput(tx);
    }
  });

  it('a 3-block reorg returns the transactions to the mempool and a longer competing chain wins', async () => {
    expect(await height(rpc)).toBe(forkHeight + 3);
    await rpc.call('invalidateblock', oldChain[0]);
    expect(await height(rpc)).toBe(forkHeight);
    expect(await rpc.call('getbestblockhash')).toBe(await rpc.call('getblockhash', forkHeight));
    expect(await mempool()).toEqual(txs.map(txidHex));
    // The outputs the disconnected blocks created are gone from the UTXO set, the spent one is back.
    expect(await rpc.call('gettxout', txidHex(txs[2]!), 0, false)).toBeNull();
    expect(await rpc.call('gettxout', txidHex(txs[2]!), 0, true)).toMatchObject({ confirmations: 0 });
    expect(await rpc.call('getblockheader', oldChain[2])).toMatchObject({
      confirmations: -1,
      height: forkHeight + 3,
    });
    expect(await tipStatus(oldChain[2]!)).toEqual({
      height: forkHeight + 3,
      hash: oldChain[2],
      branchlen: 3,
      status: 'invalid',
    });

    competing = await mine(rpc, 4);
    expect(await height(rpc)).toBe(forkHeight + 4);
    expect(competing[0]).not.toBe(oldChain[0]);
    expect(await mempool()).toEqual([]);
    const firstBlock = await rpc.call<{ tx: string[] }>('getblock', competing[0]);
    expect(firstBlock.tx.slice(1)).toEqual(txs.map(txidHex));
    expect(await tipStatus(competing[3]!)).toMatchObject({ status: 'active', branchlen: 0 });
    const stale = await rpc.call<Record<string, unknown>>(
      'getrawtransaction',
      txidHex(txs[0]!),
      true,
      oldChain[0],
    );
    expect(stale).toMatchObject({ in_active_chain: false, blockhash: oldChain[0], confirmations: 0 });
  });

  it('reconsiderblock makes the old chain eligible again; it wins only with more work', async () => {
    await rpc.call('reconsiderblock', oldChain[0]);
    expect(await rpc.call('getbestblockhash')).toBe(competing[3]);
    expect(await tipStatus(oldChain[2]!)).toMatchObject({ status: 'valid-fork', branchlen: 3 });

    await rpc.call('invalidateblock', competing[0]);
    expect(await rpc.call('getbestblockhash')).toBe(oldChain[2]);
    expect(await mempool()).toEqual([]);
    expect(await rpc.call('gettxout', txidHex(txs[2]!), 0, false)).toMatchObject({ confirmations: 1 });

    await rpc.call('reconsiderblock', competing[0]);
    expect(await rpc.call('getbestblockhash')).toBe(competing[3]);
    expect(await rpc.call('getrawtransaction', txidHex(txs[0]!), true)).toMatchObject({
      blockhash: competing[0],
      confirmations: 4,
    });
  });

  it('refuses unknown blocks and the genesis block', async () => {
    const unknown = await rpc.callError('invalidateblock', '11'.repeat(32));
    expect([unknown.code, unknown.message]).toEqual([-5, 'Block not found']);
    const genesis = await rpc.callError('invalidateblock', await rpc.call('getblockhash', 0));
    expect(genesis.code).toBe(-8);
  });
});

describe('conflicts with the chain', () => {
  it('a block confirming a double spend evicts the mempool transaction it conflicts with', async () => {
    const coin = await fundConfirmed(rpc, alice, 100_000n);
    const inPool = signSpend([coin], [pay(bob.script, 99_000n)]);
    await rpc.call('sendrawtransaction', txHex(inPool));
    const doubleSpend = signSpend([coin], [pay(alice.script, 98_000n)]);
    const { hash } = await rpc.call<{ hash: string }>('generateblock', bob.address, [txHex(doubleSpend)]);
    expect(await rpc.call('getbestblockhash')).toBe(hash);
    expect(await mempool()).not.toContain(txidHex(inPool));
    expect(await rpc.call('gettxout', txidHex(doubleSpend), 0)).toMatchObject({ confirmations: 1 });

    // Undo it: the double spend returns to the mempool, the evicted one does not come back.
    await rpc.call('invalidateblock', hash);
    expect(await mempool()).toEqual([txidHex(doubleSpend)]);
    await mine(rpc, 1);
  });

  it('a reorg that makes a coinbase spend premature drops it from the mempool', async () => {
    const [coinbaseBlock] = await rpc.call<string[]>('generatetoaddress', 1, alice.address);
    const block = await rpc.call<{ tx: { txid: string; vout: { value: number }[] }[] }>(
      'getblock',
      coinbaseBlock,
      2,
    );
    const coinbase = block.tx[0]!;
    const coin: OwnedOutput = {
      txid: fromHex(coinbase.txid).reverse(),
      vout: 0,
      valueSat: BigInt(Math.round(coinbase.vout[0]!.value * 1e8)),
      key: alice,
    };
    const mined = await mine(rpc, 99);
    const spend = signSpend([coin], [pay(bob.script, coin.valueSat - 10_000n)]);
    await rpc.call('sendrawtransaction', txHex(spend));
    await rpc.call('invalidateblock', mined[mined.length - 1]);
    expect(await mempool()).not.toContain(txidHex(spend));
    await mine(rpc, 2);
  });
});

describe('submitblock', () => {
  async function template(): Promise<Block> {
    const { hex } = await rpc.call<{ hex: string }>('generateblock', bob.address, [], false);
    return decodeBlock(fromHex(hex));
  }

  /** `block` with its coinbase paying one satoshi more, re-ground. */
  function overpaying(block: Block): Block {
    const coinbase = block.transactions[0]!;
    const outputs = coinbase.outputs.map((o, i) => (i === 0 ? { ...o, valueSat: o.valueSat + 1n } : o));
    const transactions = [{ ...coinbase, outputs }, ...block.transactions.slice(1)];
    const header = { ...block.header, merkleRoot: blockMerkleRoot(transactions).root };
    return mineBlock({ header, transactions })!;
  }

  it('connects a valid block (null), reports duplicates, and names what is wrong with a bad one', async () => {
    const block = await template();
    const hex = toHex(encodeBlock(block));
    const bad = overpaying(block);
    expect(await rpc.call('submitblock', toHex(encodeBlock(bad)))).toBe('bad-cb-amount');
    expect(await rpc.call('submitblock', toHex(encodeBlock(bad)))).toBe('duplicate-invalid');
    const badRoot = mineBlock({ ...block, header: { ...block.header, merkleRoot: new Uint8Array(32) } })!;
    expect(await rpc.call('submitblock', toHex(encodeBlock(badRoot)))).toBe('bad-txnmrklroot');
    const before = await height(rpc);
    expect(await rpc.call('submitblock', hex)).toBeNull();
    expect(await height(rpc)).toBe(before + 1);
    expect(await rpc.call('submitblock', hex)).toBe('duplicate');
    const decode = await rpc.callError('submitblock', 'zz');
    expect([decode.code, decode.message]).toEqual([-22, 'Block decode failed']);
  });

  it('generateblock refuses a block that would be invalid, leaving the chain as it was', async () => {
    const coin = await fundConfirmed(rpc, alice, 50_000n);
    const overspend = signSpend([coin], [pay(bob.script, 60_000n)]);
    const before = await rpc.call('getbestblockhash');
    const error = await rpc.callError('generateblock', bob.address, [txHex(overspend)]);
    expect(error.code).toBe(-25);
    expect(error.message).toMatch(/^TestBlockValidity failed: bad-txns-in-belowout/);
    expect(await rpc.call('getbestblockhash')).toBe(before);
    const missing = await rpc.callError('generateblock', bob.address, ['ab'.repeat(32)]);
    expect([missing.code, missing.message]).toEqual([-5, `Transaction ${'ab'.repeat(32)} not in mempool.`]);
  });
});
