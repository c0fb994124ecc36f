/**
 * The manager's side of the demo, as vigil-manager runs it: the scenarios' wiring
 * (scenario/manager-side.ts `connectManager`) on a database the demo created (demo-databases.ts),
 * through a pool of the database's `maxConnections` (1 on PGlite).
 */
import { type Database, openDatabase } from '@vigil/shared/db/database';
import { connectManager, type ManagerConnections, type ManagerWiring } from '../scenario/manager-side.js';
import type { DemoDatabase } from './demo-databases.js';

export interface DemoManagerSideOptions extends ManagerWiring {
  readonly quorum: number;
  readonly database: DemoDatabase;
}

export interface DemoManagerSide extends ManagerConnections {
  readonly database: DemoDatabase;
  readonly sql: Database;
  /** Closes the sessions and the pool (the database stays: its owner drops it). */
  close(): Promise<void>;
}

export async function startDemoManagerSide(options: DemoManagerSideOptions): Promise<DemoManagerSide> {
  const { database } = options;
  const sql = openDatabase(database.url, { maxConnections: database.maxConnections });
  try {
    const connections = await connectManager(sql, options);
    return {
      ...connections,
      database,
      sql,
      async close() {
        try {
          await connections.closeSessions();
        } finally {
          await sql.end({ timeout: 5 });
        }
      },
    };
  } catch (e) {
    await sql.end({ timeout: 5 });
    throw e;
  }
}
