/**
 * What a monitor has stored, read straight from its tables, so a test can assert that a refused
 * frame changed nothing.
 */
import type { SqlHandle } from '@vigil/shared/db/database';

export async function storedState(sql: SqlHandle): Promise<unknown> {
  const [channels, log, records, usage, outbox, nonces] = await Promise.all([
    sql`SELECT tenant, channel_id, latest_update_id, snapshot, revision FROM channel_monitors ORDER BY 1, 2`,
    sql`SELECT tenant, channel_id, update_id, payload, receipt FROM channel_update_log ORDER BY 1, 2, 3`,
    sql`SELECT tenant, channel_id, commitment_number, record FROM counterparty_commitments ORDER BY 1, 2, 3`,
    sql`SELECT node_id, channels, stored_bytes FROM tenant_usage ORDER BY 1`,
    sql`SELECT tenant, sequence FROM event_outbox ORDER BY 1, 2`,
    sql`SELECT node_id, nonce FROM hello_nonces ORDER BY 1, 2`,
  ]);
  return {
    channels: [...channels],
    log: [...log],
    records: [...records],
    usage: [...usage],
    outbox: [...outbox],
    nonces: [...nonces],
  };
}
