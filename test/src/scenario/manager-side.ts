/**
 * The manager's side of an enforcement scenario, as vigil-manager runs it: its own Postgres
 * database, a RemoteWatch whose durability reports go to a DurableFeed (frozen-channel.ts), one
 * MonitorSession per monitor (pinned to the monitor's identity key) over the real protocol, and
 * one EventInbox for all of them, recording each event it handled (once across monitors).
 */
import type { Database } from '@vigil/shared/db/database';
import { migrate } from '@vigil/shared/db/migrate';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { managerMigrations } from '@vigil/manager/store/migrations';
import { EventInbox } from '@vigil/manager/watch/event-inbox';
import { MonitorSession } from '@vigil/manager/watch/monitor-session';
import { RemoteWatch } from '@vigil/manager/watch/remote-watch';
import { DurableFeed } from '../fixtures/frozen-channel.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A monitor as the manager is configured with it. */
export interface MonitorEndpoint {
  readonly id: string;
  /** `host:port`. */
  readonly address: string;
  /** The monitor's identity key (33 bytes). */
  readonly monitorId: Uint8Array;
}

export interface ManagerWiring {
  /** The manager's node key: signs every Hello. */
  readonly nodeSecret: Uint8Array;
  readonly monitors: readonly MonitorEndpoint[];
  /** Monitors that must persist an update before it completes; default all. */
  readonly quorum?: number;
}

/** RemoteWatch, its sessions and the event inbox on a manager database. */
export interface ManagerConnections {
  readonly watch: RemoteWatch;
  /** What `watch` reported durable, for `settle` (frozen-channel.ts). */
  readonly durable: DurableFeed;
  /** In the order of `monitors`. */
  readonly sessions: readonly MonitorSession[];
  /** Every event the inbox handled, in order (a second monitor's report of it is not repeated). */
  readonly events: readonly MonitorEvent[];
  /** Closes the sessions (not the database). */
  closeSessions(): Promise<void>;
}

/** Migrates `sql` and starts RemoteWatch with one pinned session per monitor. */
export async function connectManager(sql: Database, options: ManagerWiring): Promise<ManagerConnections> {
  await migrate(sql, managerMigrations);
  const durable = new DurableFeed();
  const watch = await RemoteWatch.open({
    sql,
    monitorIds: options.monitors.map((m) => m.id),
    ...(options.quorum === undefined ? {} : { quorum: options.quorum }),
    onDurable: (_channelId, updateId) => durable.push(updateId),
  });
  const events: MonitorEvent[] = [];
  const inbox = new EventInbox(sql, async (event) => {
    events.push(event);
  });
  const sessions = options.monitors.map((m) =>
    MonitorSession.start({
      id: m.id,
      address: m.address,
      monitorId: m.monitorId,
      nodeSecret: options.nodeSecret,
      watch,
      events: inbox,
      backoff: { initialMs: 20, maxMs: 200 },
    }),
  );
  return {
    watch,
    durable,
    sessions,
    events,
    async closeSessions() {
      for (const session of sessions) await session.close();
    },
  };
}

export interface ManagerSideOptions extends ManagerWiring {
  /** The manager database's name prefix; default `vigil_scenario_manager`. */
  readonly databasePrefix?: string;
  /** `close` leaves the database in place (for inspection) instead of dropping it. */
  readonly keepDatabase?: boolean;
}

export interface ManagerSide extends ManagerConnections {
  readonly database: TestDatabase;
  /** Closes the sessions and drops the database (or releases it: `keepDatabase`). */
  close(): Promise<void>;
}

/** `connectManager` on a fresh test database. */
export async function startManagerSide(options: ManagerSideOptions): Promise<ManagerSide> {
  const database = await createTestDatabase(options.databasePrefix ?? 'vigil_scenario_manager');
  try {
    const connections = await connectManager(database.sql, options);
    return {
      ...connections,
      database,
      async close() {
        await connections.closeSessions();
        await (options.keepDatabase === true ? database.release() : database.drop());
      },
    };
  } catch (e) {
    await database.drop();
    throw e;
  }
}
