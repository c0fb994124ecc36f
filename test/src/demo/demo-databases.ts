/**
 * The demo's databases (one per monitor and one for the manager's side) on one of two backends
 * (DESIGN.md "Storage"):
 * - the local Postgres, when one answers (the tests' server: VIGIL_TEST_PG_URL, default
 *   127.0.0.1:5432): a fresh database each, dropped at the end;
 * - otherwise, or with `--pglite`, embedded PGlite: one `pglite-server` process per database
 *   (pglite-process.ts), its data directory in the demo's log directory, removed at the end.
 *   PGlite serves one connection at a time, so each database's one client gets a pool of one.
 *   One data directory is initialised (initdb, the slow part) and copied for each database.
 */
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestDatabase } from '../support/test-database.js';
import { initPgliteDataDir, spawnPglite } from './pglite-process.js';
import { displayUrl, postgresProblem } from './postgres-check.js';

/** Pool size of each database's client on Postgres (the demo's load needs no more). */
const POSTGRES_MAX_CONNECTIONS = 4;

export interface DemoDatabase {
  /** What the progress lines call it: the Postgres database's name, or the PGlite data directory. */
  readonly name: string;
  readonly url: string;
  /** The pool size its one client may use: 1 on PGlite. */
  readonly maxConnections: number;
  /** The server process's pid (PGlite), for progress lines. */
  readonly pid: number | undefined;
  /** Its server's log file (PGlite). */
  readonly logFile: string | undefined;
  /** Resolves if its server process exits (never on Postgres). */
  readonly exited: Promise<unknown>;
  /** Removes the database, once its client closed its connections. */
  drop(): Promise<void>;
  /** Leaves the database in place (`--keep`); a PGlite server is stopped all the same. */
  release(): Promise<void>;
}

export interface DatabaseBackend {
  readonly kind: 'postgres' | 'pglite';
  /** For the progress line `databases: <description>`. */
  readonly description: string;
  /**
   * Creates a database per id, side by side, a PGlite one's files in `logDir`; if one cannot be
   * created, drops those that were and rethrows.
   */
  create(ids: readonly string[], logDir: string): Promise<DemoDatabase[]>;
}

/** The local Postgres if one answers and `forcePglite` is not set; PGlite otherwise. */
export async function chooseBackend(forcePglite: boolean): Promise<DatabaseBackend> {
  if (forcePglite) return pgliteBackend('--pglite');
  const problem = await postgresProblem();
  if (problem === undefined) return postgresBackend();
  return pgliteBackend(`no Postgres at ${displayUrl()}: ${problem}`);
}

function postgresBackend(): DatabaseBackend {
  return {
    kind: 'postgres',
    description: `local Postgres (${displayUrl()})`,
    create: (ids) =>
      createAll(ids, async (id) => {
        const database = await createTestDatabase(`vigil_demo_${id}`);
        return {
          name: database.name,
          url: database.url,
          maxConnections: POSTGRES_MAX_CONNECTIONS,
          pid: undefined,
          logFile: undefined,
          exited: new Promise(() => {}),
          drop: () => database.drop(),
          release: () => database.release(),
        };
      }),
  };
}

function pgliteBackend(reason: string): DatabaseBackend {
  return {
    kind: 'pglite',
    description: `embedded PGlite (${reason})`,
    async create(ids, logDir) {
      const template = join(logDir, 'pglite-template');
      await initPgliteDataDir(template, join(logDir, 'pglite-init.log'));
      try {
        return await createAll(ids, async (id) => {
          const dataDir = join(logDir, `pglite-${id}`);
          await cp(template, dataDir, { recursive: true });
          const logFile = join(logDir, `pglite-${id}.log`);
          const server = await spawnPglite(dataDir, logFile).catch(async (e: unknown) => {
            await rm(dataDir, { recursive: true, force: true });
            throw e;
          });
          return {
            name: dataDir,
            url: server.url,
            maxConnections: 1,
            pid: server.pid,
            logFile,
            exited: server.exited,
            async drop() {
              await server.stop();
              await rm(dataDir, { recursive: true, force: true });
            },
            release: () => server.stop(),
          };
        });
      } finally {
        await rm(template, { recursive: true, force: true });
      }
    },
  };
}

async function createAll(
  ids: readonly string[],
  create: (id: string) => Promise<DemoDatabase>,
): Promise<DemoDatabase[]> {
  const created = await Promise.allSettled(ids.map(create));
  const failed = created.find((r) => r.status === 'rejected');
  if (failed === undefined) return created.map((r) => (r as PromiseFulfilledResult<DemoDatabase>).value);
  for (const r of created) if (r.status === 'fulfilled') await r.value.drop().catch(() => undefined);
  throw failed.reason;
}
