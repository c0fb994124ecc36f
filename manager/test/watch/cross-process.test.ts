/**
 * RemoteWatch and two MonitorSessions against two REAL `vigil-monitor` processes (monitor/dist/cli.js,
 * each on its own Postgres database, loopback, self-hosted with the manager's node key on the
 * allowlist), quorum 2, fed by a real channel: the opener's monitor records of a ChannelPair
 * (channel-pair.ts) that adds, fulfils and commits HTLCs over and over. One monitor is killed with
 * SIGKILL at a seeded random moment mid-stream and restarted on the same database and port.
 *
 * Afterwards: what it acked PERSISTED before the kill is in its database, its session resumed from
 * the Welcome (updates, no snapshot), every update became durable exactly once and in order, and
 * both monitors hold the latest update with byte-identical canonical snapshots.
 *
 * The channel runs first with a watch that completes at once (ReplayingWatch), and its records are
 * then handed to RemoteWatch in the order produced; the channel is not frozen on RemoteWatch here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@vigil/test/support/wait';
import { toHex } from '@vigil/shared/bytes';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { migrate } from '@vigil/shared/db/migrate';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { buildMonitor, type MonitorProcess, spawnMonitor } from '@vigil/test/support/monitor-process';
import { managerMigrations } from '../../src/store/migrations.js';
import { MonitorSession } from '../../src/watch/monitor-session.js';
import { RemoteWatch } from '../../src/watch/remote-watch.js';
import { ChannelPair, payment } from '../channel/channel-pair.js';

/** How many monitor updates the channel produces (after the initial watch, update 0). */
const TARGET_UPDATES = 1_000;
const SEED = 0x5eed_c0de;
const NODE_SECRET = new Uint8Array(32).fill(0x5a);
const backoff = { initialMs: 20, maxMs: 200 };

/** mulberry32: a small seeded generator, so the kill moment is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The opener's monitor records of a channel that keeps adding, fulfilling and committing HTLCs. */
function channelRecords(target: number) {
  const pair = ChannelPair.open();
  const { a, b } = pair;
  for (let n = 1; a.watch.updates.length < target; n++) {
    const id = pair.addCommitted(a, 1_000_000n, n);
    b.take(b.channel.fulfillHtlc(id, payment(n).preimage));
    b.take(b.channel.commit());
    pair.deliverAll();
  }
  pair.expectAgreement();
  return { init: a.watch.init!, updates: a.watch.updates.slice(0, target) };
}

/** WatchChannel snapshots in a monitor's update log. */
async function snapshotCount(m: Monitor): Promise<number> {
  const [row] = await m.database.sql<{ n: string }[]>`
    SELECT count(*) AS n FROM channel_update_log WHERE kind = 'snapshot'`;
  return Number(row!.n);
}

interface Monitor {
  readonly id: string;
  readonly database: TestDatabase;
  readonly port: number;
  process: MonitorProcess;
  /** Log lines of every process run on this database, oldest first. */
  readonly runs: MonitorProcess[];
}

describe('RemoteWatch with two vigil-monitor processes, one killed mid-stream', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const monitors: Monitor[] = [];
  let managerDb: TestDatabase;
  const nodeIdHex = toHex(pubkeyFromPrivkey(NODE_SECRET));

  const spawn = (m: { database: TestDatabase; port: number }) =>
    spawnMonitor([], {
      VIGIL_MONITOR_DATABASE_URL: m.database.url,
      VIGIL_MONITOR_LISTEN: `127.0.0.1:${m.port}`,
      VIGIL_MONITOR_ALLOWLIST: nodeIdHex,
      VIGIL_MONITOR_MAX_UPDATES_PER_SECOND: '1000000',
      VIGIL_MONITOR_LOG_LEVEL: 'debug',
    });

  beforeAll(async () => {
    await buildMonitor();
    managerDb = await createTestDatabase('vigil_cross_manager');
    cleanups.push(() => managerDb.drop());
    await migrate(managerDb.sql, managerMigrations);
    for (const id of ['m1', 'm2']) {
      const database = await createTestDatabase('vigil_cross_monitor');
      cleanups.push(() => database.drop());
      const port = await freePort();
      const process = await spawn({ database, port });
      const monitor: Monitor = { id, database, port, process, runs: [process] };
      cleanups.push(async () => {
        await monitor.process.stop('SIGKILL');
      });
      monitors.push(monitor);
    }
  }, 180_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }, 60_000);

  it('keeps every acked update across a SIGKILL and ends with identical monitors', async () => {
    const { init, updates } = channelRecords(TARGET_UPDATES);
    expect(updates.map((u) => u.updateId)).toEqual(updates.map((_, i) => i + 1));
    const channelId = init.channelId;
    const last = updates.at(-1)!.updateId;

    const random = seeded(SEED);
    // Kill once between 10% and 70% of the updates became durable.
    const killAt = Math.floor(last * (0.1 + 0.6 * random()));
    const [victim, survivor] = monitors as [Monitor, Monitor];
    const durable: number[] = [];
    let killed: Promise<unknown> | undefined;
    const watch = await RemoteWatch.open({
      sql: managerDb.sql,
      monitorIds: monitors.map((m) => m.id),
      quorum: 2,
      onDurable: (id, updateId) => {
        expect(toHex(id)).toBe(toHex(channelId));
        durable.push(updateId);
        if (updateId === killAt && killed === undefined) killed = victim.process.stop('SIGKILL');
      },
    });
    const sessions = monitors.map((m) =>
      MonitorSession.start({
        id: m.id,
        address: `127.0.0.1:${m.port}`,
        nodeSecret: NODE_SECRET,
        watch,
        onEvent: () => {},
        backoff,
      }),
    );
    cleanups.push(async () => {
      for (const s of sessions) await s.close();
    });
    const [victimSession] = sessions as [MonitorSession, MonitorSession];

    // The stream: the watch, then every update, handed over as the channel produced them, in
    // slices so the sessions stream while records still arrive.
    watch.watchChannel(init);
    const feeding = (async () => {
      for (let i = 0; i < updates.length; i += 25) {
        for (const update of updates.slice(i, i + 25)) watch.updateChannel(update);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();

    await eventually(() => killed !== undefined, `update ${killAt} to become durable`);
    expect(await killed).toEqual({ code: null, signal: 'SIGKILL' });
    await eventually(() => !victimSession.health().connected, 'the session to see the kill');
    // Acks that arrived before the stream ended; none can come after.
    const acked = victimSession.health().channels[0]!.position!;
    expect(acked).toBeGreaterThanOrEqual(killAt);
    expect(durable.at(-1)).toBeLessThan(last);

    // Everything acked PERSISTED is in the dead monitor's database.
    const snapshotsBefore = await snapshotCount(victim);
    const [row] = await victim.database.sql<{ latest_update_id: string }[]>`
      SELECT latest_update_id FROM channel_monitors WHERE channel_id = ${channelId}`;
    const onDisk = Number(row!.latest_update_id);
    expect(onDisk).toBeGreaterThanOrEqual(acked);

    // Restarted on the same database and port; the session reconnects by itself.
    victim.process = await spawn(victim);
    victim.runs.push(victim.process);
    await eventually(() => durable.length === last + 1, 'every update to become durable');
    expect(durable).toEqual([...Array(last + 1).keys()]);

    // The restarted monitor's Welcome carried its position: it was sent the updates after it,
    // starting right after what its database held, and never a snapshot.
    const resumed = victim.process.lines
      .filter((l) => l['msg'] === 'update acked' && l['channelId'] === toHex(channelId))
      .map((l) => Number(l['updateId']));
    expect(resumed[0]).toBe(onDisk + 1);
    expect(resumed.at(-1)).toBe(last);
    // (Its first session got the channel as a snapshot: it had none.)
    expect(await snapshotCount(victim)).toBe(snapshotsBefore);
    await feeding;

    // Both monitors end at the latest update with the same canonical snapshot bytes.
    const states = await Promise.all(
      monitors.map(async (m) => {
        const [state] = await m.database.sql<{ latest_update_id: string; snapshot: Uint8Array }[]>`
          SELECT latest_update_id, snapshot FROM channel_monitors WHERE channel_id = ${channelId}`;
        return { latest: Number(state!.latest_update_id), snapshot: toHex(state!.snapshot) };
      }),
    );
    expect(states[0]!.latest).toBe(last);
    expect(states[1]!.latest).toBe(last);
    expect(states[0]!.snapshot === states[1]!.snapshot).toBe(true);

    // RemoteWatch's recorded positions (what the receipts prove) agree.
    const positions = await managerDb.sql<{ monitor_id: string; persisted_update_id: number }[]>`
      SELECT monitor_id, persisted_update_id FROM watch_monitor_positions ORDER BY monitor_id`;
    expect(positions.map((p) => [p.monitor_id, p.persisted_update_id])).toEqual([
      ['m1', last],
      ['m2', last],
    ]);
    for (const s of sessions)
      expect(s.health()).toMatchObject({
        connected: true,
        channels: [{ position: last, lag: 0, state: 'ok' }],
      });
    expect(survivor.runs).toHaveLength(1);
  }, 240_000);
});
