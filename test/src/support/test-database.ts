/**
 * A fresh, uniquely named Postgres database per test file on the local server (CI makes sure one
 * answers at 127.0.0.1:5432; override with VIGIL_TEST_PG_URL), dropped afterwards (or, for
 * inspection, released: its connections closed and the database left in place).
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '@vigil/shared/db/database';

/** The server's maintenance database, through which the test databases are created and dropped. */
export const adminUrl = process.env['VIGIL_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** The database's name (`<prefix>_<12 hex digits>`). */
  readonly name: string;
  readonly url: string;
  readonly sql: Database;
  drop(): Promise<void>;
  /** Closes the connections and leaves the database as it is. */
  release(): Promise<void>;
}

export async function createTestDatabase(prefix = 'vigil_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = openDatabase(url.toString());
  return {
    name,
    url: url.toString(),
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end({ timeout: 5 });
    },
    async release() {
      await sql.end({ timeout: 5 });
      await admin.end({ timeout: 5 });
    },
  };
}
