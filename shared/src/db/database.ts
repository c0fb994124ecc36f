/**
 * Opening a Postgres connection pool (porsager `postgres`). int8 columns come back as bigint,
 * never as lossy numbers or strings, since amounts and ids are 64-bit.
 */
import postgres from 'postgres';

export type Database = postgres.Sql<{ bigint: bigint }>;

export interface DatabaseOptions {
  /** Pool size; 1 for the embedded PGlite fallback (DESIGN.md "Storage"). */
  readonly maxConnections?: number;
}

export function openDatabase(url: string, options: DatabaseOptions = {}): Database {
  return postgres(url, {
    max: options.maxConnections ?? 10,
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
  });
}

/** An open transaction (what `sql.begin` hands its callback). */
export type SqlTransaction = postgres.TransactionSql<{ bigint: bigint }>;

/** A connection pool or an open transaction: repository functions accept either. */
export type SqlHandle = Database | SqlTransaction;

/**
 * A `bytea[]` parameter. postgres.js infers an array's element type from Buffers but not from
 * plain Uint8Arrays, so the elements are wrapped (without copying).
 */
export function byteaArray(sql: SqlHandle, values: readonly Uint8Array[]) {
  return sql.array(values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength)));
}
