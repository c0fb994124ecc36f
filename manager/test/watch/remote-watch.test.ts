/**
 * RemoteWatch's durable core against real Postgres, with real channel states (the monitor-model
 * fixture's two-party channel): outbox before send, quorum completion, catch-up by updates or by
 * snapshot, restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '@vigil/shared/bytes';
import { migrate } from '@vigil/shared/db/migrate';
import { InvalidUpdateError } from '@vigil/shared/monitor-model/apply-update';
import { decodeChannelMonitorUpdate } from '@vigil/shared/monitor-model/proto-codec';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import { managerMigrations } from '../../src/store/migrations.js';
import { RemoteWatch } from '../../src/watch/remote-watch.js';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';

const fx = new ChannelFixture();
const balances = { toHolderMsat: 690_000_000n, toCounterpartyMsat: 310_000_000n };
/** Updates 1..3: sign their commitment 1, get commitment 0 revoked, receive our commitment 1. */
const updates: ChannelMonitorUpdate[] = fx.firstRound(balances);

describe('RemoteWatch', () => {
  let db: TestDatabase;
  const durable: string[] = [];
  const open = () =>
    RemoteWatch.open({
      sql: db.sql,
      monitorIds: ['a', 'b'],
      quorum: 2,
      onDurable: (channelId, updateId) => durable.push(`${toHex(channelId).slice(0, 4)}:${updateId}`),
    });
  const ch = toHex(fx.channelId).slice(0, 4);

  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.sql, managerMigrations);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('stores before it lets anything be sent, and completes on a quorum, in order', async () => {
    const watch = await open();
    const committed: number[] = [];
    watch.onPersisted((channelId, updateId) => {
      // Told only once the record is committed, so the session may send it.
      expect(watch.persistedUpTo(channelId)).toBe(updateId);
      committed.push(updateId);
    });
    expect(watch.watchChannel(fx.init())).toBe('inProgress');
    expect(watch.persistedUpTo(fx.channelId)).toBe(-1);
    expect(committed).toEqual([]);
    await watch.flush();
    expect(watch.persistedUpTo(fx.channelId)).toBe(0);
    expect(committed).toEqual([0]);

    await watch.recordPersisted('a', fx.channelId, 0);
    expect(durable).toEqual([]);
    await watch.recordPersisted('b', fx.channelId, 0);
    expect(durable).toEqual([`${ch}:0`]);

    for (const u of updates) expect(watch.updateChannel(u)).toBe('inProgress');
    await watch.flush();
    expect(watch.persistedUpTo(fx.channelId)).toBe(3);
    expect(committed).toEqual([0, 1, 2, 3]);
    await watch.recordPersisted('a', fx.channelId, 3);
    await watch.recordPersisted('b', fx.channelId, 2);
    expect(durable).toEqual([`${ch}:0`, `${ch}:1`, `${ch}:2`]);
  });

  it('catches a monitor up with the updates it lacks, byte for byte, or says it is up to date', async () => {
    const watch = await open();
    // Both monitors have 2 (a: 3, b: 2), so the outbox keeps only update 3.
    const catchUp = await watch.catchUp(fx.channelId, 2);
    if (catchUp.kind !== 'updates') throw new Error(`expected updates, got ${catchUp.kind}`);
    expect(catchUp.updates.map((u) => u.updateId)).toEqual([3]);
    expect(decodeChannelMonitorUpdate(catchUp.updates[0]!.bytes)).toEqual(updates[2]);
    expect((await watch.catchUp(fx.channelId, 0)).kind).toBe('snapshot');
    expect(await watch.catchUp(fx.channelId, 3)).toEqual({ kind: 'upToDate' });
  });

  it('sends a monitor without the channel the committed snapshot and every counterparty record', async () => {
    const watch = await open();
    const catchUp = await watch.catchUp(fx.channelId, undefined);
    if (catchUp.kind !== 'snapshot') throw new Error(`expected a snapshot, got ${catchUp.kind}`);
    expect(catchUp.monitor.latestUpdateId).toBe(3);
    expect(catchUp.counterpartyCommitments.map((c) => c.commitmentNumber)).toEqual([0, 1]);
  });

  it('resumes after a restart without reporting anything twice', async () => {
    const watch = await open();
    expect(watch.persistedUpTo(fx.channelId)).toBe(3);
    await watch.recordPersisted('b', fx.channelId, 3);
    expect(durable).toEqual([`${ch}:0`, `${ch}:1`, `${ch}:2`, `${ch}:3`]);
  });

  it('prunes what every monitor has, then catches a lagging one up by snapshot', async () => {
    const watch = await open();
    const catchUp = await watch.catchUp(fx.channelId, 1);
    expect(catchUp.kind).toBe('snapshot');
  });

  it('refuses an ack beyond what was sent, and an invalid update before storing anything', async () => {
    const watch = await open();
    await expect(watch.recordPersisted('a', fx.channelId, 9)).rejects.toThrow(
      /acked 9, beyond what was sent \(3\)/,
    );
    const gap: ChannelMonitorUpdate = {
      channelId: fx.channelId,
      updateId: 5,
      steps: [{ kind: 'channelForceClosed', shouldBroadcast: false }],
    };
    expect(() => watch.updateChannel(gap)).toThrow(InvalidUpdateError);
    await watch.flush();
    expect(watch.persistedUpTo(fx.channelId)).toBe(3);
    expect(() => watch.updateChannel({ ...gap, channelId: new Uint8Array(32) })).toThrow(/unknown channel/);
  });
});
