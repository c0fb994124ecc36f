/**
 * BitcoindChainSource against vigil-regtest over HTTP: the production client code, the same that
 * talks to bitcoind.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockHash } from '../../src/bitcoin/block.js';
import { txid } from '../../src/bitcoin/tx.js';
import { BitcoindChainSource, MIN_FEERATE_PER_KW } from '../../src/chain/bitcoind-source.js';
import { TxRejectedError } from '../../src/chain/chain-source.js';
import { RpcAuthError, RpcError, RpcTransportError } from '../../src/chain/rpc-client.js';
import { startRegtest, type RunningRegtest } from '../../src/chain/regtest/start.js';
import {
  fundConfirmed,
  mine,
  startTestNode,
  type TestNode,
} from '@vigil/test/support/regtest/regtest-fixture';
import { signSpend, testKey } from '@vigil/test/support/regtest/test-wallet';

describe('BitcoindChainSource over vigil-regtest', () => {
  let node: TestNode;
  let source: BitcoindChainSource;

  beforeAll(async () => {
    node = await startTestNode();
    source = new BitcoindChainSource({
      url: node.regtest.url,
      auth: { user: 'vigil', password: 'test-password' },
    });
  });
  afterAll(async () => {
    await node.regtest.stop();
  });

  it('reports the tip and finds blocks by height, decoding and checking them', async () => {
    const tip = await source.getTip();
    expect(tip.height).toBe(await node.rpc.call<number>('getblockcount'));
    expect(await source.getBlockHash(tip.height)).toEqual(tip.hash);
    const block = await source.getBlock(tip.hash);
    expect(blockHash(block.header)).toEqual(tip.hash);
    expect(await source.getBlockHash(tip.height + 1)).toBeUndefined();
  });

  it('broadcasts a valid spend, repeats it harmlessly, and counts a mined one as already known', async () => {
    const key = testKey('source-broadcast');
    const coin = await fundConfirmed(node.rpc, key, 100_000n);
    const tx = signSpend([coin], [{ valueSat: 99_000n, scriptPubKey: key.script }]);
    expect(await source.broadcast(tx)).toBe('accepted');
    // bitcoind answers a repeat of a mempool transaction with its txid, as a success.
    expect(await source.broadcast(tx)).toBe('accepted');
    expect((await source.getUtxo({ txid: txid(tx), vout: 0 }))?.confirmations).toBe(0);
    await mine(node.rpc, 1);
    expect(await source.broadcast(tx)).toBe('already-known');
    expect(await source.getUtxo({ txid: coin.txid, vout: coin.vout })).toBeUndefined();
    const utxo = await source.getUtxo({ txid: txid(tx), vout: 0 });
    expect(utxo).toMatchObject({ valueSat: 99_000n, confirmations: 1, coinbase: false });
    expect(utxo?.scriptPubKey).toEqual(key.script);
  });

  it('classifies rejections with the node’s reason', async () => {
    const key = testKey('source-reject');
    const coin = await fundConfirmed(node.rpc, key, 100_000n);
    const spend = signSpend([coin], [{ valueSat: 99_000n, scriptPubKey: key.script }]);
    const tampered = { ...spend, outputs: [{ valueSat: 98_000n, scriptPubKey: key.script }] };
    await expect(source.broadcast(tampered)).rejects.toMatchObject({ kind: 'script-verify' });
    const ghost = signSpend(
      [{ ...coin, vout: coin.vout + 7 }],
      [{ valueSat: 1_000n, scriptPubKey: key.script }],
    );
    const error = await source.broadcast(ghost).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TxRejectedError);
    expect((error as TxRejectedError).kind).toBe('missing-inputs');
  });

  it('estimates a feerate no lower than the relay floor', async () => {
    expect(await source.estimateFeeratePerKw(6)).toBeGreaterThanOrEqual(MIN_FEERATE_PER_KW);
  });

  it('sends several calls in one batch, each answered on its own', async () => {
    const [count, bad] = await source.rpc.batch([
      { method: 'getblockcount', params: [] },
      { method: 'nosuchmethod', params: [] },
    ]);
    expect(typeof count).toBe('number');
    expect(bad).toBeInstanceOf(RpcError);
    expect((bad as RpcError).code).toBe(-32601);
  });

  it('refuses wrong credentials without retrying', async () => {
    const wrong = new BitcoindChainSource({
      url: node.regtest.url,
      auth: { user: 'vigil', password: 'nope' },
    });
    await expect(wrong.getTip()).rejects.toBeInstanceOf(RpcAuthError);
  });

  it('gives up on an unreachable node after its retries', async () => {
    const nowhere = new BitcoindChainSource({
      url: 'http://127.0.0.1:9/',
      retries: 2,
      backoffMs: 10,
      timeoutMs: 500,
    });
    await expect(nowhere.getTip()).rejects.toBeInstanceOf(RpcTransportError);
  });
});

describe('cookie authentication', () => {
  let regtest: RunningRegtest;
  const cookieFile = join(mkdtempSync(join(tmpdir(), 'vigil-cookie-')), '.cookie');

  beforeAll(async () => {
    regtest = await startRegtest({ rpc: { port: 0, auth: { cookieFile } } });
  });
  afterAll(async () => {
    await regtest.stop();
  });

  it('reads the node’s cookie file', async () => {
    const source = new BitcoindChainSource({ url: regtest.url, auth: { cookieFile } });
    expect((await source.getTip()).height).toBeGreaterThan(0);
  });
});
