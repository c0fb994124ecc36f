/**
 * MonitorSession over real gRPC on loopback to real in-process monitors (each on its own Postgres
 * database), with RemoteWatch on the manager's database and real channel states (the monitor-model
 * fixture's two-party channel): updates become durable on a quorum, in order, and a monitor that
 * starts late is caught up by the session's reconnect; a monitor with another identity than the
 * configured one is refused; the same event reported by two monitors is handled once and acked
 * to both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@vigil/test/support/wait';
import { toHex } from '@vigil/shared/bytes';
import { migrate } from '@vigil/shared/db/migrate';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { managerMigrations } from '../../src/store/migrations.js';
import { EventInbox } from '../../src/watch/event-inbox.js';
import { MonitorSession } from '../../src/watch/monitor-session.js';
import { RemoteWatch } from '../../src/watch/remote-watch.js';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { type Harness, keys, nodeIdOf, startHarness } from '../../../monitor/test/support/harness.js';
import { connect } from '../../../monitor/test/support/session-client.js';
import { enqueueEvent } from '../../../monitor/src/store/event-outbox.js';

const fx = new ChannelFixture();
const balances = { toHolderMsat: 690_000_000n, toCounterpartyMsat: 310_000_000n };
/** Updates 1..3: sign their commitment 1, get commitment 0 revoked, receive our commitment 1. */
const updates: ChannelMonitorUpdate[] = fx.firstRound(balances);
const backoff = { initialMs: 20, maxMs: 200 };

/** Where the monitor stands on the fixture's channel, by a fresh session's Welcome. */
async function welcomePosition(monitor: Harness, nodeSecret: Uint8Array): Promise<bigint | undefined> {
  const { session, welcome } = await connect(monitor.address, nodeSecret, monitor.monitor.monitorId);
  session.dispose();
  return welcome.channels.find((c) => toHex(c.channelId) === toHex(fx.channelId))?.latestUpdateId;
}

describe('MonitorSession', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let first: Harness;

  /** Handled events, per manager database. */
  const handled = new Map<RemoteWatch, MonitorEvent[]>();
  const inboxes = new Map<RemoteWatch, EventInbox>();

  const managerWatch = async (monitorIds: string[], quorum: number, durable: number[]) => {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    await migrate(db.sql, managerMigrations);
    const watch = await RemoteWatch.open({
      sql: db.sql,
      monitorIds,
      quorum,
      onDurable: (channelId, updateId) => {
        expect(toHex(channelId)).toBe(toHex(fx.channelId));
        durable.push(updateId);
      },
    });
    const events: MonitorEvent[] = [];
    handled.set(watch, events);
    inboxes.set(watch, new EventInbox(db.sql, async (event) => void events.push(event)));
    return watch;
  };
  const startSession = (
    id: string,
    address: string,
    watch: RemoteWatch,
    nodeSecret: Uint8Array,
    monitorId?: Uint8Array,
  ) => {
    const session = MonitorSession.start({
      id,
      address,
      nodeSecret,
      watch,
      events: inboxes.get(watch)!,
      backoff,
      ...(monitorId === undefined ? {} : { monitorId }),
    });
    cleanups.push(() => session.close());
    return session;
  };

  beforeAll(async () => {
    first = await startHarness();
    cleanups.push(() => first.close());
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('makes a watch and its updates durable on both monitors of a quorum of 2, in order', async () => {
    const second = await startHarness();
    cleanups.push(() => second.close());
    const durable: number[] = [];
    const watch = await managerWatch(['m1', 'm2'], 2, durable);
    const sessions = [
      startSession('m1', first.address, watch, keys.alice),
      startSession('m2', second.address, watch, keys.alice),
    ];

    watch.watchChannel(fx.init());
    for (const u of updates) watch.updateChannel(u);
    await watch.flush();
    await eventually(() => durable.length === 4, 'updates 0..3 to become durable');
    expect(durable).toEqual([0, 1, 2, 3]);
    for (const session of sessions) {
      expect(session.health()).toMatchObject({
        connected: true,
        channels: [{ position: 3, lag: 0, state: 'ok' }],
      });
    }
    expect(await welcomePosition(first, keys.alice)).toBe(3n);
    expect(await welcomePosition(second, keys.alice)).toBe(3n);
  });

  it('completes on a quorum of 1 without the second monitor, then catches it up once it runs', async () => {
    const durable: number[] = [];
    const watch = await managerWatch(['m1', 'm2'], 1, durable);
    const port = await freePort();
    startSession('m1', first.address, watch, keys.bob);
    const late = startSession('m2', `127.0.0.1:${port}`, watch, keys.bob);

    watch.watchChannel(fx.init());
    for (const u of updates) watch.updateChannel(u);
    await eventually(() => durable.length === 4, 'updates 0..3 to become durable on one monitor');
    expect(durable).toEqual([0, 1, 2, 3]);
    expect(late.health()).toMatchObject({ connected: false, channels: [{ position: undefined, lag: 4 }] });
    expect(late.health().lastError).toMatch(/getStatus/);

    const second = await startHarness({ listen: `127.0.0.1:${port}` });
    cleanups.push(() => second.close());
    await eventually(() => late.health().channels[0]?.lag === 0, 'the late monitor to catch up');
    expect(late.health()).toMatchObject({ connected: true, channels: [{ position: 3, state: 'ok' }] });
    expect(await welcomePosition(second, keys.bob)).toBe(3n);
  });

  it('refuses a monitor whose identity is not the configured one, and sends it nothing', async () => {
    const durable: number[] = [];
    const watch = await managerWatch(['m1'], 1, durable);
    const other = nodeIdOf(keys.bob);
    const session = startSession('m1', first.address, watch, keys.stranger, other);

    watch.watchChannel(fx.init());
    await watch.flush();
    await eventually(() => session.health().lastError !== undefined, 'the first attempt to end');
    expect(session.health().lastError).toBe(
      `getStatus.monitorId: ${toHex(first.monitor.monitorId)} is not the configured monitor ${toHex(other)}`,
    );
    expect(session.health().connected).toBe(false);
    expect(durable).toEqual([]);
    // The monitor never saw a Hello (a stranger's would have been refused and logged).
    expect(first.logs.filter((l) => l.includes('hello'))).toEqual([]);
  });

  it('handles an event two monitors report once, and acks it to both', async () => {
    const second = await startHarness();
    cleanups.push(() => second.close());
    const durable: number[] = [];
    const watch = await managerWatch(['m1', 'm2'], 2, durable);
    const tenant = nodeIdOf(keys.alice);
    const event: MonitorEvent = {
      kind: 'claimConfirmed',
      channelId: fx.channelId,
      txid: new Uint8Array(32).fill(4),
    };
    const other: MonitorEvent = { ...event, txid: new Uint8Array(32).fill(5) };
    await enqueueEvent(first.database.sql, tenant, event);
    await enqueueEvent(second.database.sql, tenant, event);
    await enqueueEvent(second.database.sql, tenant, other);
    startSession('m1', first.address, watch, keys.alice, first.monitor.monitorId);
    startSession('m2', second.address, watch, keys.alice, second.monitor.monitorId);

    const unacked = async (h: Harness) =>
      Number((await h.database.sql<{ n: string }[]>`SELECT count(*) AS n FROM event_outbox`)[0]!.n);
    await eventually(async () => (await unacked(first)) + (await unacked(second)) === 0, 'both to be acked');
    expect(handled.get(watch)).toEqual([event, other]);
  });
});
