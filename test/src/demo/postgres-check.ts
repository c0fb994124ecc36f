/**
 * Whether a Postgres server answers where the demo would create its databases (the tests'
 * server: VIGIL_TEST_PG_URL, default 127.0.0.1:5432). When none does, the demo falls back to
 * embedded PGlite databases (demo-databases.ts).
 */
import postgres from 'postgres';
import { adminUrl } from '../support/test-database.js';

/** Undefined once Postgres answered a query at `url`; otherwise why it did not. */
export async function postgresProblem(url: string = adminUrl): Promise<string | undefined> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** `url` without its password, for messages. */
export function displayUrl(url: string = adminUrl): string {
  const where = new URL(url);
  where.password = '';
  return where.toString();
}
