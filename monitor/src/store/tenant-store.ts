/**
 * Provider-mode tenants (table `tenants`): the node ids admitted, each with optional limits of its
 * own (unset: the configured defaults). Removing a tenant only revokes its access: its channels
 * stay stored and watched, since dropping them could cost it funds.
 */
import type { SqlHandle } from '@vigil/shared/db/database';

/** Limits a tenant may have of its own; an absent one is the configured default. */
export interface TenantLimitOverrides {
  readonly maxChannels?: number;
  readonly maxStoredBytes?: bigint;
  readonly maxUpdatesPerSecond?: number;
}

export interface TenantRecord {
  readonly nodeId: Uint8Array;
  readonly label: string;
  readonly limits: TenantLimitOverrides;
  readonly createdAt: Date;
}

interface TenantRow {
  node_id: Uint8Array;
  label: string;
  max_channels: number | null;
  max_stored_bytes: bigint | null;
  max_updates_per_second: number | null;
  created_at: Date;
}

function toRecord(row: TenantRow): TenantRecord {
  return {
    nodeId: new Uint8Array(row.node_id),
    label: row.label,
    limits: {
      ...(row.max_channels === null ? {} : { maxChannels: row.max_channels }),
      ...(row.max_stored_bytes === null ? {} : { maxStoredBytes: row.max_stored_bytes }),
      ...(row.max_updates_per_second === null ? {} : { maxUpdatesPerSecond: row.max_updates_per_second }),
    },
    createdAt: row.created_at,
  };
}

/** Adds the tenant, or replaces its label and limits if it exists. */
export async function putTenant(
  sql: SqlHandle,
  tenant: { nodeId: Uint8Array; label: string; limits: TenantLimitOverrides },
): Promise<void> {
  const row = {
    node_id: tenant.nodeId,
    label: tenant.label,
    max_channels: tenant.limits.maxChannels ?? null,
    max_stored_bytes: tenant.limits.maxStoredBytes ?? null,
    max_updates_per_second: tenant.limits.maxUpdatesPerSecond ?? null,
  };
  await sql`
    INSERT INTO tenants ${sql(row)}
    ON CONFLICT (node_id) DO UPDATE SET label = EXCLUDED.label, max_channels = EXCLUDED.max_channels,
      max_stored_bytes = EXCLUDED.max_stored_bytes, max_updates_per_second = EXCLUDED.max_updates_per_second`;
}

export async function findTenant(sql: SqlHandle, nodeId: Uint8Array): Promise<TenantRecord | undefined> {
  const [row] = await sql<TenantRow[]>`SELECT * FROM tenants WHERE node_id = ${nodeId}`;
  return row && toRecord(row);
}

export async function listTenants(sql: SqlHandle): Promise<TenantRecord[]> {
  return (await sql<TenantRow[]>`SELECT * FROM tenants ORDER BY node_id`).map(toRecord);
}

/** True when the tenant existed. */
export async function removeTenant(sql: SqlHandle, nodeId: Uint8Array): Promise<boolean> {
  return (await sql`DELETE FROM tenants WHERE node_id = ${nodeId}`).count === 1;
}
