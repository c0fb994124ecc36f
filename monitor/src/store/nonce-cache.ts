/**
 * The Hello nonce replay cache (table `hello_nonces`; DESIGN.md rule 1). A nonce is remembered per
 * node id for as long as its Hello's timestamp is inside the acceptance window: once it is older,
 * a replay of that Hello is refused as stale, so the row can go. Persisted, so a restart does not
 * reopen the window for replays.
 */
import type { SqlHandle } from '@vigil/shared/db/database';

/** Records the nonce; false if this node id already used it (a replay). */
export async function rememberNonce(
  sql: SqlHandle,
  nodeId: Uint8Array,
  nonce: Uint8Array,
  timestampMs: bigint,
): Promise<boolean> {
  const inserted = await sql`
    INSERT INTO hello_nonces (node_id, nonce, timestamp_ms) VALUES (${nodeId}, ${nonce}, ${timestampMs})
    ON CONFLICT (node_id, nonce) DO NOTHING`;
  return inserted.count === 1;
}

/** Forgets nonces of Hellos timestamped before `cutoffMs`; returns how many. */
export async function forgetNoncesBefore(sql: SqlHandle, cutoffMs: bigint): Promise<number> {
  return (await sql`DELETE FROM hello_nonces WHERE timestamp_ms < ${cutoffMs}`).count;
}
