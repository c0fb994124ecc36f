/**
 * The limits of DESIGN.md rule 6. Server-wide: the largest frame, and how many WatchChannels and
 * Updates one stream may have unacked. Per tenant (defaults here, overridable per tenant in
 * provider mode): channels, stored bytes and update rate.
 */
import * as pb from '@vigil/proto';

export interface Limits {
  /** The gRPC max receive message length: a larger frame ends the stream with RESOURCE_EXHAUSTED. */
  readonly maxFrameBytes: number;
  /** Unacked WatchChannels and Updates per stream; one more is answered QUOTA_EXCEEDED at once. */
  readonly maxUpdatesInFlight: number;
  readonly maxChannelsPerTenant: number;
  /** Snapshots, counterparty records and the retained update log, in bytes. */
  readonly maxStoredBytesPerTenant: bigint;
  /** WatchChannels and Updates per second per tenant, over all its sessions (burst: the same). */
  readonly maxUpdatesPerSecond: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxFrameBytes: 4 * 1024 * 1024,
  maxUpdatesInFlight: 64,
  maxChannelsPerTenant: 10_000,
  maxStoredBytesPerTenant: 1n << 30n,
  maxUpdatesPerSecond: 1000,
};

/** What one tenant may store and send. */
export interface TenantLimits {
  readonly maxChannels: number;
  readonly maxStoredBytes: bigint;
  readonly maxUpdatesPerSecond: number;
}

export function defaultTenantLimits(limits: Limits): TenantLimits {
  return {
    maxChannels: limits.maxChannelsPerTenant,
    maxStoredBytes: limits.maxStoredBytesPerTenant,
    maxUpdatesPerSecond: limits.maxUpdatesPerSecond,
  };
}

/** The limits as a Welcome or GetStatus reports them. */
export function sessionLimits(limits: Limits, tenant: TenantLimits): pb.SessionLimits {
  return pb.create(pb.SessionLimitsSchema, {
    maxFrameBytes: limits.maxFrameBytes,
    maxUpdatesInFlight: limits.maxUpdatesInFlight,
    maxChannels: tenant.maxChannels,
    maxStoredBytes: tenant.maxStoredBytes,
    maxUpdatesPerSecond: tenant.maxUpdatesPerSecond,
  });
}
