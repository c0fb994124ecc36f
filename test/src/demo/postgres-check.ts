/**
 * The demo needs a Postgres server (each monitor and the manager get a fresh database on it): this
 * checks one answers before anything starts, and otherwise fails saying so. The embedded fallback
 * DESIGN.md plans for the demo (PGlite) is not implemented yet.
 */
import postgres from 'postgres';
import { adminUrl } from '../support/test-database.js';

export class PostgresMissingError extends Error {}

/** Resolves once Postgres answered a query at `adminUrl`; rejects with PostgresMissingError otherwise. */
export async function requirePostgres(url: string = adminUrl): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
  } catch (e) {
    const where = new URL(url);
    where.password = '';
    throw new PostgresMissingError(
      `no Postgres answers at ${where.toString()} (${e instanceof Error ? e.message : String(e)}).\n` +
        'The demo needs one: start it (e.g. `docker run -d -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`)\n' +
        'or point VIGIL_TEST_PG_URL at one. (The embedded PGlite fallback is not implemented yet.)',
    );
  } finally {
    await sql.end({ timeout: 1 });
  }
}
