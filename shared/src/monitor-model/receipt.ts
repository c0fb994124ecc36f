/**
 * Receipts (DESIGN.md rule 3; byte layout in proto/vigil/monitor/v1/monitor.proto): the monitor's
 * identity key signs
 *   SHA256(node_id[33] || channel_id[32] || update_id[8, big-endian] || state_hash[32])
 * where state_hash = SHA256(canonical ChannelMonitor bytes after the update). A tenant holding
 * the receipt can prove which state the monitor accepted. Signatures are deterministic (RFC 6979),
 * and a repeat is answered with the stored receipt anyway.
 */
import { ByteWriter, expectLength } from '../bytes.js';
import { signEcdsa, verifyEcdsa } from '../bitcoin/ecdsa.js';
import { sha256 } from '../bitcoin/hash.js';

export interface ReceiptFields {
  /** The tenant's node id, 33 bytes. */
  readonly nodeId: Uint8Array;
  readonly channelId: Uint8Array;
  readonly updateId: bigint;
  /** SHA256 of the resulting snapshot bytes. */
  readonly stateHash: Uint8Array;
}

/** A receipt's `stateHash`: SHA256 of the canonical ChannelMonitor bytes. */
export function stateHash(canonicalMonitorBytes: Uint8Array): Uint8Array {
  return sha256(canonicalMonitorBytes);
}

/** The 32-byte hash a receipt signs. */
export function receiptDigest(fields: ReceiptFields): Uint8Array {
  return sha256(
    new ByteWriter(105)
      .bytes(expectLength(fields.nodeId, 33, 'receipt.nodeId'))
      .bytes(expectLength(fields.channelId, 32, 'receipt.channelId'))
      .u64be(fields.updateId)
      .bytes(expectLength(fields.stateHash, 32, 'receipt.stateHash'))
      .finish(),
  );
}

export function signReceipt(monitorSecret: Uint8Array, fields: ReceiptFields): Uint8Array {
  return signEcdsa(receiptDigest(fields), monitorSecret);
}

/** True when `receipt` is the monitor `monitorId`'s receipt for `fields` (the tenant's check). */
export function verifyReceipt(monitorId: Uint8Array, fields: ReceiptFields, receipt: Uint8Array): boolean {
  return verifyEcdsa(receipt, receiptDigest(fields), monitorId);
}
