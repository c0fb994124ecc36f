/**
 * Numbered SQL migrations (DESIGN.md "Storage"): `<dir>/NNNN_name.sql`, applied in order in one
 * transaction at start-up. Each component (`shared` for tables owned by shared components such as
 * the block follower, then the service's own) keeps its own sequence. A migration's checksum is
 * recorded, so an applied migration edited afterwards is refused instead of silently diverging.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type postgres from 'postgres';
import { toHex } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { sha256 } from '../bitcoin/hash.js';

export interface MigrationSource {
  /** Names the sequence, e.g. `shared` or `monitor`. */
  readonly component: string;
  readonly dir: string;
}

interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads `dir`'s migrations; numbering must run 1, 2, 3... without gaps or duplicates. */
export function readMigrations(source: MigrationSource): Migration[] {
  const files = readdirSync(source.dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file, i) => {
    const match = FILE_RE.exec(file);
    const field = `${source.component} migrations/${file}`;
    if (!match) throw new ValidationError(field, 'expected a name like 0001_create_things.sql');
    const version = Number(match[1]);
    if (version !== i + 1) throw new ValidationError(field, `expected version ${i + 1}, got ${version}`);
    const sql = readFileSync(join(source.dir, file), 'utf8');
    return { version, name: match[2]!, sql, checksum: toHex(sha256(new TextEncoder().encode(sql))) };
  });
}

/** Applies every pending migration of every source, in one transaction. Returns how many ran. */
export async function migrate(sql: postgres.Sql, sources: readonly MigrationSource[]): Promise<number> {
  const plans = sources.map((source) => ({ source, migrations: readMigrations(source) }));
  return sql.begin(async (tx) => {
    // Serialises concurrent start-ups; correctness does not depend on it (the primary key does).
    await tx`SELECT pg_advisory_xact_lock(7413)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
      component text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version)
    )`;
    let applied = 0;
    for (const { source, migrations } of plans) {
      const done = await tx<{ version: number; name: string; checksum: string }[]>`
        SELECT version, name, checksum FROM schema_migrations WHERE component = ${source.component} ORDER BY version`;
      for (const [i, row] of done.entries()) {
        const m = migrations[i];
        const field = `${source.component} migration ${String(row.version).padStart(4, '0')}_${row.name}`;
        if (m === undefined)
          throw new ValidationError(field, 'is applied in the database but missing from the code');
        if (m.checksum !== row.checksum) throw new ValidationError(field, 'was changed after it was applied');
      }
      for (const m of migrations.slice(done.length)) {
        await tx.unsafe(m.sql);
        await tx`INSERT INTO schema_migrations (component, version, name, checksum)
                 VALUES (${source.component}, ${m.version}, ${m.name}, ${m.checksum})`;
        applied++;
      }
    }
    return applied;
  });
}

/** Migrations of the tables shared components own (applied by every service before its own). */
export const sharedMigrations: MigrationSource = {
  component: 'shared',
  dir: new URL('../../migrations', import.meta.url).pathname,
};
