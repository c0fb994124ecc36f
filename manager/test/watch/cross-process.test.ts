/**
 * RemoteWatch and two MonitorSessions against two REAL `vigil-monitor` processes (monitor/dist/cli.js,
 * each on its own Postgres database, loopback, self-hosted with the manager's node key on the
 * allowlist), quorum 2, driving a real channel: the opener of a ChannelPair (channel-pair.ts) whose
 * watch is the RemoteWatch, so the channel is frozen on it exactly as in production (it sends no
 * `commitment_signed`, `revoke_and_ack` or preimage before the record it depends on is durable on
 * both monitors; driven by frozen-channel.ts). The pair adds, fulfils and commits HTLCs until the opener produced 5,000
 * updates. One monitor is killed with SIGKILL at a seeded random moment mid-stream and restarted
 * on the same database and port.
 *
 * Afterwards: what it acked PERSISTED before the kill is in its database, the channel stood still
 * while the quorum could not be reached, its session resumed from the Welcome (updates, no
 * snapshot), every update became durable exactly once and in order, and both monitors hold the
 * latest update with byte-identical canonical snapshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@vigil/test/support/wait';
import { fromHex, toHex } from '@vigil/shared/bytes';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { migrate } from '@vigil/shared/db/migrate';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';
import { buildMonitor, type MonitorProcess, spawnMonitor } from '@vigil/test/support/monitor-process';
import { managerMigrations } from '../../src/store/migrations.js';
import { EventInbox } from '../../src/watch/event-inbox.js';
import { MonitorSession } from '../../src/watch/monitor-session.js';
import { RemoteWatch } from '../../src/watch/remote-watch.js';
import { ChannelPair } from '@vigil/test/fixtures/channel-pair';
import { drive, DurableFeed } from '@vigil/test/fixtures/frozen-channel';

/** How many monitor updates the opener produces at least (after the initial watch, update 0). */
const TARGET_UPDATES = 5_000;
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
    const random = seeded(SEED);
    // Kill once between 10% and 70% of the updates became durable.
    const killAt = Math.floor(TARGET_UPDATES * (0.1 + 0.6 * random()));
    const [victim, survivor] = monitors as [Monitor, Monitor];
    const durable: number[] = [];
    const feed = new DurableFeed();
    let killed: Promise<unknown> | undefined;
    const watch = await RemoteWatch.open({
      sql: managerDb.sql,
      monitorIds: monitors.map((m) => m.id),
      quorum: 2,
      onDurable: (_channelId, updateId) => {
        durable.push(updateId);
        feed.push(updateId);
        if (updateId === killAt && killed === undefined) killed = victim.process.stop('SIGKILL');
      },
    });
    const sessions = monitors.map((m) =>
      MonitorSession.start({
        id: m.id,
        address: `127.0.0.1:${m.port}`,
        nodeSecret: NODE_SECRET,
        watch,
        monitorId: fromHex(m.process.monitorId),
        events: new EventInbox(managerDb.sql, async () => {}),
        backoff,
      }),
    );
    cleanups.push(async () => {
      for (const s of sessions) await s.close();
    });
    const [victimSession] = sessions as [MonitorSession, MonitorSession];

    const pair = ChannelPair.upToFundingCreated({ openerWatch: watch });
    const driving = drive(pair, feed, TARGET_UPDATES);
    driving.catch(() => undefined); // Awaited below; a failure must not go unhandled meanwhile.

    await eventually(() => killed !== undefined, `update ${killAt} to become durable`, {
      timeoutMs: 300_000,
    });
    expect(await killed).toEqual({ code: null, signal: 'SIGKILL' });
    await eventually(() => !victimSession.health().connected, 'the session to see the kill');
    const channelId = pair.a.watch.init!.channelId;
    // Acks that arrived before the stream ended; none can come after.
    const acked = victimSession.health().channels[0]!.position!;
    expect(acked).toBeGreaterThanOrEqual(killAt);

    // Frozen: with one of two monitors gone nothing more becomes durable, so the channel cannot
    // move past the updates it may produce before its next dependency (a handful).
    const producedAtKill = pair.a.watch.updates.length;
    const durableAtKill = durable.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(durable.length).toBe(durableAtKill);
    const stalled = pair.a.watch.updates.length;
    expect(stalled - producedAtKill).toBeLessThanOrEqual(4);
    expect(pair.a.watch.inProgress.length).toBeGreaterThan(0);
    expect(pair.a.watch.inProgress.length).toBeLessThanOrEqual(4);

    // Everything acked PERSISTED is in the dead monitor's database.
    const snapshotsBefore = await snapshotCount(victim);
    const [row] = await victim.database.sql<{ latest_update_id: string }[]>`
      SELECT latest_update_id FROM channel_monitors WHERE channel_id = ${channelId}`;
    const onDisk = Number(row!.latest_update_id);
    expect(onDisk).toBeGreaterThanOrEqual(acked);

    // Restarted on the same database and port; the session reconnects by itself and the
    // channel moves on.
    victim.process = await spawn(victim);
    victim.runs.push(victim.process);
    await driving;
    await watch.flush();
    const last = pair.a.watch.updates.at(-1)!.updateId;
    expect(last).toBeGreaterThanOrEqual(TARGET_UPDATES);
    expect(pair.a.watch.updates.map((u) => u.updateId)).toEqual([...Array(last).keys()].map((i) => i + 1));
    expect(durable).toEqual([...Array(last + 1).keys()]);
    expect(stalled).toBeLessThan(last);

    // The restarted monitor's Welcome carried its position: it was sent the updates after it,
    // starting right after what its database held, and never a snapshot.
    const resumed = victim.process.lines
      .filter((l) => l['msg'] === 'update acked' && l['channelId'] === toHex(channelId))
      .map((l) => Number(l['updateId']));
    expect(resumed[0]).toBe(onDisk + 1);
    expect(resumed.at(-1)).toBe(last);
    // (Its first session got the channel as a snapshot: it had none.)
    expect(await snapshotCount(victim)).toBe(snapshotsBefore);

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
  }, 400_000);
});
