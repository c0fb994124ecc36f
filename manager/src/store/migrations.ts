/** The manager database's migrations: the shared components' tables, then the manager's own. */
import { type MigrationSource, sharedMigrations } from '@vigil/shared/db/migrate';

export const managerMigrations: readonly MigrationSource[] = [
  sharedMigrations,
  { component: 'manager', dir: new URL('../../migrations', import.meta.url).pathname },
];
