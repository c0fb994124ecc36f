/** The monitor database's migrations: the shared components' tables, then the monitor's own. */
import { type MigrationSource, sharedMigrations } from '@vigil/shared/db/migrate';

export const monitorMigrations: readonly MigrationSource[] = [
  sharedMigrations,
  { component: 'monitor', dir: new URL('../../migrations', import.meta.url).pathname },
];
