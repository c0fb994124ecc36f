import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { migrate, readMigrations, sharedMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '@vigil/test/support/test-database';

function migrationDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-migrations-'));
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

describe('migrate', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('applies the shared migrations once', async () => {
    expect(await migrate(db.sql, [sharedMigrations])).toBe(readMigrations(sharedMigrations).length);
    expect(await migrate(db.sql, [sharedMigrations])).toBe(0);
    const [row] = await db.sql`SELECT count(*)::int AS n FROM chain_follower_blocks`;
    expect(row!['n']).toBe(0);
  });

  it('applies a component’s later migrations on top of earlier ones', async () => {
    const first = { '0001_a.sql': 'CREATE TABLE svc_a (id int);' };
    const dir = migrationDir(first);
    expect(await migrate(db.sql, [{ component: 'svc', dir }])).toBe(1);
    writeFileSync(join(dir, '0002_b.sql'), 'CREATE TABLE svc_b (id int);');
    expect(await migrate(db.sql, [{ component: 'svc', dir }])).toBe(1);
  });

  it('refuses an applied migration that was edited afterwards', async () => {
    const dir = migrationDir({ '0001_x.sql': 'CREATE TABLE edited_x (id int);' });
    await migrate(db.sql, [{ component: 'edited', dir }]);
    writeFileSync(join(dir, '0001_x.sql'), 'CREATE TABLE edited_x (id bigint);');
    await expect(migrate(db.sql, [{ component: 'edited', dir }])).rejects.toThrow(
      /edited migration 0001_x: was changed after it was applied/,
    );
  });

  it('rolls back every migration of a run when one fails', async () => {
    const dir = migrationDir({
      '0001_ok.sql': 'CREATE TABLE rolled_back (id int);',
      '0002_bad.sql': 'CREATE TABLE oops (',
    });
    await expect(migrate(db.sql, [{ component: 'rollback', dir }])).rejects.toThrow();
    const [row] = await db.sql`SELECT to_regclass('rolled_back') AS t`;
    expect(row!['t']).toBeNull();
  });

  it('refuses gaps and badly named files', () => {
    expect(() =>
      readMigrations({ component: 'gap', dir: migrationDir({ '0001_a.sql': '', '0003_c.sql': '' }) }),
    ).toThrow(/expected version 2, got 3/);
    expect(() => readMigrations({ component: 'bad', dir: migrationDir({ '1_a.sql': '' }) })).toThrow(
      ValidationError,
    );
  });
});
