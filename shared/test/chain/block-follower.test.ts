/**
 * BlockFollower against vigil-regtest over HTTP and a real Postgres database: ordered delivery,
 * reorgs walked back to the fork point, persisted position across restarts, and a listener's
 * writes committed with the position or not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reverseBytes, toHex } from '../../src/bytes.js';
import { blockHash } from '../../src/bitcoin/block.js';
import { BitcoindChainSource } from '../../src/chain/bitcoind-source.js';
import { BlockFollower, type BlockListener, ReorgTooDeepError } from '../../src/chain/block-follower.js';
import { migrate, sharedMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { mine, startTestNode, type TestNode } from '@vigil/test/support/regtest/regtest-fixture';
import { testKey } from '@vigil/test/support/regtest/test-wallet';

/** Mining to another address than `mine` does makes the competing blocks differ from the invalidated ones. */
const COMPETING_MINER = testKey('competing-miner').address;

/** A listener that records what it was told and writes each connected block in the follower's transaction. */
function recorder(failAtHeight?: { height: number }) {
  const events: string[] = [];
  const listener: BlockListener = {
    async blockConnected(block, ref, tx) {
      expect(blockHash(block.header)).toEqual(ref.hash);
      await tx`INSERT INTO seen_blocks (height, hash) VALUES (${ref.height}, ${ref.hash})`;
      if (failAtHeight?.height === ref.height) throw new Error(`listener fails at ${ref.height}`);
      events.push(`+${ref.height}:${toHex(reverseBytes(ref.hash))}`);
    },
    async blockDisconnected(ref, tx) {
      await tx`DELETE FROM seen_blocks WHERE height = ${ref.height}`;
      events.push(`-${ref.height}:${toHex(reverseBytes(ref.hash))}`);
    },
  };
  return { events, listener };
}

describe('BlockFollower', () => {
  let node: TestNode;
  let db: TestDatabase;
  let source: BitcoindChainSource;
  const follower = (
    id: string,
    listener: BlockListener,
    extra: { startHeight?: number; keepBlocks?: number } = {},
  ) => new BlockFollower({ id, source, sql: db.sql, listener, ...extra });

  beforeAll(async () => {
    node = await startTestNode();
    db = await createTestDatabase();
    await migrate(db.sql, [sharedMigrations]);
    await db.sql`CREATE TABLE seen_blocks (height integer PRIMARY KEY, hash bytea NOT NULL)`;
    source = new BitcoindChainSource({
      url: node.regtest.url,
      auth: { user: 'vigil', password: 'test-password' },
    });
  });
  afterAll(async () => {
    await db.drop();
    await node.regtest.stop();
  });

  it('walks a 3-block reorg back to the fork, then connects the new chain, and resumes after a restart', async () => {
    await db.sql`DELETE FROM seen_blocks`;
    const first = recorder();
    const f = follower('reorg', first.listener);
    await f.poll(); // adopts the tip
    const start = f.position!.height;
    const oldChain = await mine(node.rpc, 3);
    expect(await f.poll()).toEqual({ connected: 3, disconnected: 0 });
    expect(first.events).toEqual(oldChain.map((hash, i) => `+${start + 1 + i}:${hash}`));

    first.events.length = 0;
    await node.rpc.call('invalidateblock', oldChain[0]);
    const newChain = await node.rpc.call<string[]>('generatetoaddress', 4, COMPETING_MINER);
    expect(await f.poll()).toEqual({ connected: 4, disconnected: 3 });
    expect(first.events).toEqual([
      ...[...oldChain].reverse().map((hash, i) => `-${start + 3 - i}:${hash}`),
      ...newChain.map((hash, i) => `+${start + 1 + i}:${hash}`),
    ]);
    const rows = await db.sql<{ height: number }[]>`SELECT height FROM seen_blocks ORDER BY height`;
    expect(rows.map((r) => r.height)).toEqual([start + 1, start + 2, start + 3, start + 4]);

    // A new follower over the same database resumes at the persisted block: no gap, no repeat.
    const later = await mine(node.rpc, 2);
    const second = recorder();
    const restarted = follower('reorg', second.listener);
    expect(await restarted.poll()).toEqual({ connected: 2, disconnected: 0 });
    expect(second.events).toEqual(later.map((hash, i) => `+${start + 5 + i}:${hash}`));
  });

  it('commits a listener’s writes with the position, or neither', async () => {
    await db.sql`DELETE FROM seen_blocks`;
    const tipHeight = (await source.getTip()).height;
    const failing = recorder({ height: tipHeight + 2 });
    const f = follower('atomic', failing.listener);
    await f.poll();
    await mine(node.rpc, 3);
    await expect(f.poll()).rejects.toThrow(`listener fails at ${tipHeight + 2}`);
    const afterFailure = await db.sql<{ height: number }[]>`SELECT height FROM seen_blocks ORDER BY height`;
    expect(afterFailure.map((r) => r.height)).toEqual([tipHeight + 1]);

    const healthy = recorder();
    const resumed = follower('atomic', healthy.listener);
    expect(await resumed.poll()).toEqual({ connected: 2, disconnected: 0 });
    const rows = await db.sql<{ height: number }[]>`SELECT height FROM seen_blocks ORDER BY height`;
    expect(rows.map((r) => r.height)).toEqual([tipHeight + 1, tipHeight + 2, tipHeight + 3]);
  });

  it('delivers every block from startHeight on a first run', async () => {
    const { events, listener } = recorder();
    await db.sql`DELETE FROM seen_blocks`;
    const tip = await source.getTip();
    const f = follower('from-start', listener, { startHeight: tip.height - 4 });
    expect(await f.poll()).toEqual({ connected: 5, disconnected: 0 });
    expect(events[0]).toMatch(new RegExp(`^\\+${tip.height - 4}:`));
  });

  it('stops on a reorg deeper than the blocks it kept', async () => {
    await db.sql`DELETE FROM seen_blocks`;
    const { listener } = recorder();
    const f = follower('shallow', listener, { keepBlocks: 2 });
    await f.poll();
    const chain = await mine(node.rpc, 3);
    await f.poll();
    await node.rpc.call('invalidateblock', chain[0]);
    await node.rpc.call('generatetoaddress', 5, COMPETING_MINER);
    await expect(f.poll()).rejects.toBeInstanceOf(ReorgTooDeepError);
  });
});
