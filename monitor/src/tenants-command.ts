/**
 * `vigil-monitor tenants add|list|remove`: the provider-mode tenant registry (store/tenant-store.ts)
 * from the command line. Migrates the database first, so a provider can register tenants before
 * the monitor's first start. Prints one JSON object per line.
 */
import { fromHex, toHex } from '@vigil/shared/bytes';
import { validatePubkey } from '@vigil/shared/bitcoin/secp256k1';
import { type Database, openDatabase } from '@vigil/shared/db/database';
import { migrate } from '@vigil/shared/db/migrate';
import { VigilError } from '@vigil/shared/errors';
import { byteCount, integer, type MonitorConfig, type Parser } from './config.js';
import { monitorMigrations } from './store/migrations.js';
import { readUsage } from './store/tenant-usage.js';
import { listTenants, putTenant, removeTenant, type TenantLimitOverrides } from './store/tenant-store.js';

export const TENANTS_USAGE = `Tenants (provider mode):
  vigil-monitor tenants add <node-id> [--label <text>] [--max-channels <n>]
                            [--max-stored-bytes <n>] [--max-updates-per-second <n>]
      admits the node id (33-byte compressed public key, hex), or replaces its label and limits;
      a limit not given is the configured default
  vigil-monitor tenants list
      every tenant: node id, label, its own limits, channels and bytes stored, when added
  vigil-monitor tenants remove <node-id>
      revokes the node id's access; its channels stay stored and watched`;

export interface TenantFlags {
  readonly label?: string | undefined;
  readonly 'max-channels'?: string | undefined;
  readonly 'max-stored-bytes'?: string | undefined;
  readonly 'max-updates-per-second'?: string | undefined;
}

const INT32_MAX = 2 ** 31 - 1;

/** JSON with bigints as decimal strings and bytes already hex. */
const print = (value: object): void =>
  console.log(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

function nodeIdArgument(arg: string | undefined): Uint8Array {
  if (arg === undefined) throw new VigilError('node-id', 'missing (33-byte compressed public key, hex)');
  return validatePubkey(fromHex(arg, 'node-id'), 'node-id');
}

function limitFlag<T>(flags: TenantFlags, flag: keyof TenantFlags, parse: Parser<T>): T | undefined {
  const value = flags[flag];
  return value === undefined ? undefined : parse(value, `--${flag}`);
}

function limitOverrides(flags: TenantFlags): TenantLimitOverrides {
  const maxChannels = limitFlag(flags, 'max-channels', integer(0, INT32_MAX));
  const maxStoredBytes = limitFlag(flags, 'max-stored-bytes', byteCount);
  const maxUpdatesPerSecond = limitFlag(flags, 'max-updates-per-second', integer(1, INT32_MAX));
  return {
    ...(maxChannels === undefined ? {} : { maxChannels }),
    ...(maxStoredBytes === undefined ? {} : { maxStoredBytes }),
    ...(maxUpdatesPerSecond === undefined ? {} : { maxUpdatesPerSecond }),
  };
}

async function dispatch(db: Database, args: readonly string[], flags: TenantFlags): Promise<void> {
  const [verb, nodeIdArg, ...extra] = args;
  if (extra.length > 0) throw new VigilError('arguments', `unexpected ${JSON.stringify(extra.join(' '))}`);
  switch (verb) {
    case 'add': {
      const nodeId = nodeIdArgument(nodeIdArg);
      await putTenant(db, { nodeId, label: flags.label ?? '', limits: limitOverrides(flags) });
      return print({ added: toHex(nodeId) });
    }
    case 'list':
      for (const tenant of await listTenants(db)) {
        const usage = await readUsage(db, tenant.nodeId);
        const { nodeId, label, limits, createdAt } = tenant;
        print({ nodeId: toHex(nodeId), label, limits, usage, createdAt: createdAt.toISOString() });
      }
      return;
    case 'remove': {
      const nodeId = nodeIdArgument(nodeIdArg);
      if (!(await removeTenant(db, nodeId)))
        throw new VigilError('node-id', `${toHex(nodeId)} is not a tenant`);
      return print({ removed: toHex(nodeId) });
    }
    default:
      throw new VigilError(
        'arguments',
        `expected tenants add, list or remove, got ${JSON.stringify(verb ?? '')}`,
      );
  }
}

export async function runTenantsCommand(
  config: MonitorConfig,
  args: readonly string[],
  flags: TenantFlags,
): Promise<void> {
  const db = openDatabase(config.databaseUrl, { maxConnections: 1 });
  try {
    await migrate(db, monitorMigrations);
    await dispatch(db, args, flags);
  } finally {
    await db.end({ timeout: 5 });
  }
}
