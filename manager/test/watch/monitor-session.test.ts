/**
 * MonitorSession over real gRPC on loopback to real in-process monitors (each on its own Postgres
 * database), with RemoteWatch on the manager's database and real channel states (the monitor-model
 * fixture's two-party channel): updates become durable on a quorum, in order, and a monitor that
 * starts late is caught up by the session's reconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@vigil/test/support/wait';
import { toHex } from '@vigil/shared/bytes';
import { migrate } from '@vigil/shared/db/migrate';
import type { ChannelMonitorUpdate } from '@vigil/shared/monitor-model/monitor-update';
import { managerMigrations } from '../../src/store/migrations.js';
import { MonitorSession } from '../../src/watch/monitor-session.js';
import { RemoteWatch } from '../../src/watch/remote-watch.js';
import { ChannelFixture } from '@vigil/test/fixtures/channel-fixture';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { type Harness, keys, startHarness } from '../../../monitor/test/support/harness.js';
import { connect } from '../../../monitor/test/support/session-client.js';

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

  const managerWatch = async (monitorIds: string[], quorum: number, durable: number[]) => {
    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    await migrate(db.sql, managerMigrations);
    return RemoteWatch.open({
      sql: db.sql,
      monitorIds,
      quorum,
      onDurable: (channelId, updateId) => {
        expect(toHex(channelId)).toBe(toHex(fx.channelId));
        durable.push(updateId);
      },
    });
  };
  const startSession = (id: string, address: string, watch: RemoteWatch, nodeSecret: Uint8Array) => {
    const session = MonitorSession.start({ id, address, nodeSecret, watch, onEvent: () => {}, backoff });
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
});
