/**
 * The wallet against vigil-regtest over HTTP and a real Postgres database, fed by the real
 * BlockFollower: receiving, funding a channel output, following a reorg, and key reuse.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGTEST } from '@vigil/shared/bitcoin/network';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { p2wshScript } from '@vigil/shared/bitcoin/output-scripts';
import { txid, txidHex } from '@vigil/shared/bitcoin/tx';
import { BitcoindChainSource } from '@vigil/shared/chain/bitcoind-source';
import { BlockFollower } from '@vigil/shared/chain/block-follower';
import { migrate } from '@vigil/shared/db/migrate';
import { ValidationError } from '@vigil/shared/errors';
import { managerMigrations } from '../../src/store/migrations.js';
import { Wallet } from '../../src/wallet/wallet.js';
import { btcString, mine, startTestNode, type TestNode } from '@vigil/test/support/regtest/regtest-fixture';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { testKey } from '@vigil/test/support/regtest/test-wallet';

const seed = sha256(new TextEncoder().encode('wallet test seed'));

describe('Wallet', () => {
  let node: TestNode;
  let db: TestDatabase;
  let source: BitcoindChainSource;
  let wallet: Wallet;
  let follower: BlockFollower;

  const tipHeight = async () => (await source.getTip()).height;
  const sync = async () => follower.poll();

  beforeAll(async () => {
    node = await startTestNode();
    db = await createTestDatabase();
    await migrate(db.sql, managerMigrations);
    source = new BitcoindChainSource({
      url: node.regtest.url,
      auth: { user: 'vigil', password: 'test-password' },
    });
    wallet = await Wallet.open({ sql: db.sql, seed, network: REGTEST, chain: source });
    follower = new BlockFollower({ id: 'wallet', source, sql: db.sql, listener: wallet });
    await sync();
  });
  afterAll(async () => {
    await db.drop();
    await node.regtest.stop();
  });

  it('sees a payment to a fresh address once it confirms', async () => {
    const { address } = await wallet.newAddress();
    await node.rpc.call('faucet', address, btcString(2_000_000n));
    await sync();
    expect(await wallet.balanceSat(await tipHeight())).toBe(0n);
    await mine(node.rpc, 1);
    await sync();
    expect(await wallet.balanceSat(await tipHeight())).toBe(2_000_000n);
  });

  it('funds a channel output the node accepts and mines, keeping the change', async () => {
    const before = await wallet.balanceSat(await tipHeight());
    const fundingScript = p2wshScript(Uint8Array.of(0x51));
    const spend = await wallet.fund(fundingScript, 500_000n, await tipHeight(), 1000);
    expect(spend.tx.outputs[spend.outputIndex]).toEqual({ valueSat: 500_000n, scriptPubKey: fundingScript });
    // Reserved at once: the same coins cannot fund a second transaction meanwhile.
    expect(await wallet.balanceSat(await tipHeight())).toBe(0n);
    expect(await source.broadcast(spend.tx)).toBe('accepted');
    await mine(node.rpc, 1);
    await sync();
    expect(await source.getUtxo({ txid: txid(spend.tx), vout: spend.outputIndex })).toMatchObject({
      valueSat: 500_000n,
    });
    expect(await wallet.balanceSat(await tipHeight())).toBe(before - 500_000n - spend.feeSat);
  });

  it('follows a 3-block reorg that removes a payment, and sees it again when re-mined', async () => {
    const { address } = await wallet.newAddress();
    const paid = await node.rpc.call<string>('faucet', address, btcString(300_000n));
    const [paymentBlock] = await mine(node.rpc, 3);
    await sync();
    const withPayment = await wallet.balanceSat(await tipHeight());

    await node.rpc.call('invalidateblock', paymentBlock);
    await sync();
    expect(await wallet.balanceSat(await tipHeight())).toBe(withPayment - 300_000n);
    expect(await node.rpc.call<string[]>('getrawmempool')).toContain(paid);

    // A different coinbase address makes the competing blocks differ from the invalidated ones.
    await node.rpc.call('generatetoaddress', 4, testKey('competing-miner').address);
    await sync();
    expect(await wallet.balanceSat(await tipHeight())).toBe(withPayment);
  });

  it('never hands out an address twice, also after reopening', async () => {
    const first = await wallet.newAddress();
    const reopened = await Wallet.open({ sql: db.sql, seed, network: REGTEST, chain: source });
    const second = await reopened.newAddress();
    expect(second.address).not.toBe(first.address);
  });

  it('refuses to spend more than it has, naming the shortfall', async () => {
    const error = await wallet
      .fund(p2wshScript(Uint8Array.of(0x52)), 10n ** 15n, await tipHeight(), 1000)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).problem).toMatch(/insufficient funds/);
  });

  it('gives reserved coins back when a spend is abandoned', async () => {
    const balance = await wallet.balanceSat(await tipHeight());
    const spend = await wallet.fund(p2wshScript(Uint8Array.of(0x53)), 10_000n, await tipHeight(), 1000);
    expect(await wallet.balanceSat(await tipHeight())).toBeLessThan(balance);
    await wallet.abandon(spend);
    expect(await wallet.balanceSat(await tipHeight())).toBe(balance);
    expect(txidHex(spend.tx)).toHaveLength(64);
  });
});
