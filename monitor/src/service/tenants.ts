/**
 * Who may open a session, and with which limits. Self-hosted mode: the node ids in the
 * configuration's allowlist, all with the configured limits. Provider mode: the tenants registered
 * in the database (`vigil-monitor tenants add`), each with its own limits where set; a tenant
 * added or removed takes effect at its next Hello.
 */
import { toHex } from '@vigil/shared/bytes';
import type { Database } from '@vigil/shared/db/database';
import { findTenant } from '../store/tenant-store.js';
import type { TenantLimits } from './limits.js';

export type TenantMode = 'self-hosted' | 'provider';

/** An admitted tenant: its node id (also as hex, for logs and maps) and its limits. */
export interface Tenant {
  readonly nodeId: Uint8Array;
  readonly hex: string;
  readonly limits: TenantLimits;
}

export interface TenantDirectory {
  readonly mode: TenantMode;
  /** The tenant's limits, or undefined when the node id is not a tenant. */
  find(nodeId: Uint8Array): Promise<TenantLimits | undefined>;
}

export function allowlistDirectory(allowlist: readonly Uint8Array[], limits: TenantLimits): TenantDirectory {
  const allowed = new Set(allowlist.map(toHex));
  return {
    mode: 'self-hosted',
    find: async (nodeId) => (allowed.has(toHex(nodeId)) ? limits : undefined),
  };
}

export function registryDirectory(db: Database, defaults: TenantLimits): TenantDirectory {
  return {
    mode: 'provider',
    async find(nodeId) {
      const tenant = await findTenant(db, nodeId);
      return tenant && { ...defaults, ...tenant.limits };
    },
  };
}
