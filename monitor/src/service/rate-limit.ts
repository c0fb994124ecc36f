/**
 * The per-tenant update rate (DESIGN.md rule 6): a token bucket per tenant, shared by all its
 * sessions in this process, holding at most one second's worth of updates. A WatchChannel or
 * Update that finds it empty is answered QUOTA_EXCEEDED and not applied.
 */
import type { Tenant } from './tenants.js';

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly ratePerSecond: number,
    private readonly now: () => number,
  ) {
    this.#tokens = ratePerSecond;
    this.#at = now();
  }

  /** Takes one token; false when there is none. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(
      this.ratePerSecond,
      this.#tokens + ((now - this.#at) / 1000) * this.ratePerSecond,
    );
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The buckets of the tenants seen; a tenant whose rate changed gets a new bucket. */
export class TenantRates {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(private readonly now: () => number = Date.now) {}

  bucketOf(tenant: Tenant): TokenBucket {
    const existing = this.#buckets.get(tenant.hex);
    if (existing?.ratePerSecond === tenant.limits.maxUpdatesPerSecond) return existing;
    const bucket = new TokenBucket(tenant.limits.maxUpdatesPerSecond, this.now);
    this.#buckets.set(tenant.hex, bucket);
    return bucket;
  }
}
