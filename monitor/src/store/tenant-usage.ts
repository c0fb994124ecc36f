/**
 * What each tenant keeps stored (table `tenant_usage`), and the quota on it (DESIGN.md rule 6).
 * Every write charges its change inside its own transaction with one conditional UPDATE, so the
 * check and the write commit together and two concurrent writes cannot both slip under the limit;
 * a change over the limit rolls the whole transaction back.
 */
import type { SqlHandle } from '@vigil/shared/db/database';
import { VigilError } from '@vigil/shared/errors';

export interface StorageQuota {
  readonly maxChannels: number;
  readonly maxStoredBytes: bigint;
}

/** A change in what a tenant stores: channels added, bytes added (negative when it shrinks). */
export interface UsageChange {
  readonly channels: number;
  readonly bytes: bigint;
}

export interface TenantUsage {
  readonly channels: number;
  readonly storedBytes: bigint;
}

/** A write would take the tenant over a quota; `field` names which (`quota.channels`). */
export class QuotaExceededError extends VigilError {}

/** Creates the tenant's usage row if missing (on its first session), so charging can be an UPDATE. */
export async function ensureUsageRow(sql: SqlHandle, tenant: Uint8Array): Promise<void> {
  await sql`INSERT INTO tenant_usage (node_id) VALUES (${tenant}) ON CONFLICT (node_id) DO NOTHING`;
}

export async function readUsage(sql: SqlHandle, tenant: Uint8Array): Promise<TenantUsage> {
  const [row] = await sql<{ channels: number; stored_bytes: bigint }[]>`
    SELECT channels, stored_bytes FROM tenant_usage WHERE node_id = ${tenant}`;
  return { channels: row?.channels ?? 0, storedBytes: row?.stored_bytes ?? 0n };
}

/**
 * Adds `change` to the tenant's usage or throws a QuotaExceededError. A change that adds nothing
 * to a measure never fails on it, so a tenant over a lowered limit can still shrink.
 */
export async function chargeUsage(
  sql: SqlHandle,
  tenant: Uint8Array,
  change: UsageChange,
  quota: StorageQuota,
): Promise<void> {
  const charged = await sql`
    UPDATE tenant_usage
    SET channels = channels + ${change.channels}::int, stored_bytes = stored_bytes + ${change.bytes}::bigint
    WHERE node_id = ${tenant}
      AND (${change.channels}::int <= 0 OR channels + ${change.channels}::int <= ${quota.maxChannels}::int)
      AND (${change.bytes}::bigint <= 0 OR stored_bytes + ${change.bytes}::bigint <= ${quota.maxStoredBytes}::bigint)`;
  if (charged.count === 1) return;
  throw quotaError(await readUsage(sql, tenant), change, quota);
}

function quotaError(usage: TenantUsage, change: UsageChange, quota: StorageQuota): QuotaExceededError {
  if (change.channels > 0 && usage.channels + change.channels > quota.maxChannels) {
    return new QuotaExceededError(
      'quota.channels',
      `the tenant has ${usage.channels} of at most ${quota.maxChannels} channels`,
    );
  }
  return new QuotaExceededError(
    'quota.storedBytes',
    `the tenant stores ${usage.storedBytes} of at most ${quota.maxStoredBytes} bytes; this change needs ${change.bytes} more`,
  );
}
