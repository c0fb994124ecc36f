/**
 * Counterparty commitment records (table `counterparty_commitments`): every commitment the
 * counterparty may broadcast, kept per commitment number outside the snapshot so the snapshot stays
 * constant-size while justice against any revoked commitment stays possible (DESIGN.md "The
 * domain"). A record, once stored, never changes: a different record for the same number is a
 * conflict, the same one is a no-op.
 */
import { equalBytes } from '@vigil/shared/bytes';
import type { SqlHandle } from '@vigil/shared/db/database';
import { VigilError } from '@vigil/shared/errors';

export interface EncodedRecord {
  readonly commitmentNumber: number;
  readonly txid: Uint8Array;
  /** Canonical CounterpartyCommitment bytes. */
  readonly bytes: Uint8Array;
}

/** A record contradicts the one stored for its commitment number. */
export class RecordConflictError extends VigilError {}

/**
 * Stores the records not stored yet and returns how many bytes that added. Throws a
 * RecordConflictError, naming `field`, for a record that differs from the stored one.
 */
export async function insertRecords(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
  records: readonly EncodedRecord[],
  field: string,
): Promise<bigint> {
  if (records.length === 0) return 0n;
  const rows = records.map((r) => ({
    tenant,
    channel_id: channelId,
    commitment_number: r.commitmentNumber,
    txid: r.txid,
    record: r.bytes,
  }));
  const inserted = await sql<{ commitment_number: bigint }[]>`
    INSERT INTO counterparty_commitments ${sql(rows)}
    ON CONFLICT (tenant, channel_id, commitment_number) DO NOTHING
    RETURNING commitment_number`;
  const fresh = new Set(inserted.map((r) => Number(r.commitment_number)));
  await expectSameAsStored(sql, tenant, channelId, records, fresh, field);
  return records
    .filter((r) => fresh.has(r.commitmentNumber))
    .reduce((sum, r) => sum + BigInt(r.bytes.length), 0n);
}

async function expectSameAsStored(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
  records: readonly EncodedRecord[],
  fresh: ReadonlySet<number>,
  field: string,
): Promise<void> {
  const existing = records.filter((r) => !fresh.has(r.commitmentNumber));
  if (existing.length === 0) return;
  const stored = await sql<{ commitment_number: bigint; record: Uint8Array }[]>`
    SELECT commitment_number, record FROM counterparty_commitments
    WHERE tenant = ${tenant} AND channel_id = ${channelId}
      AND commitment_number IN ${sql(existing.map((r) => r.commitmentNumber))}`;
  const byNumber = new Map(stored.map((r) => [Number(r.commitment_number), new Uint8Array(r.record)]));
  for (const r of existing) {
    if (!equalBytes(byNumber.get(r.commitmentNumber)!, r.bytes)) {
      throw new RecordConflictError(
        field,
        `counterparty commitment ${r.commitmentNumber} differs from the record stored for it`,
      );
    }
  }
}

/** The stored records of a channel, by increasing commitment number. */
export async function channelRecords(
  sql: SqlHandle,
  tenant: Uint8Array,
  channelId: Uint8Array,
): Promise<EncodedRecord[]> {
  const rows = await sql<{ commitment_number: bigint; txid: Uint8Array; record: Uint8Array }[]>`
    SELECT commitment_number, txid, record FROM counterparty_commitments
    WHERE tenant = ${tenant} AND channel_id = ${channelId} ORDER BY commitment_number`;
  return rows.map((r) => ({
    commitmentNumber: Number(r.commitment_number),
    txid: new Uint8Array(r.txid),
    bytes: new Uint8Array(r.record),
  }));
}
