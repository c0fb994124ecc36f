/**
 * The session's signed Hello (DESIGN.md "The monitor protocol" rule 1; byte layout in
 * proto/vigil/monitor/v1/monitor.proto): the manager proves its node key by signing
 *   SHA256(monitor_id[33] || node_id[33] || timestamp_ms[8, big-endian] || nonce[32]).
 * The manager signs it (`signHello`), the monitor checks it (`helloDigest`); both use this file so
 * the layout has one definition.
 */
import type * as pb from '@vigil/proto';
import { ByteWriter, expectLength } from '../bytes.js';
import { signEcdsa } from '../bitcoin/ecdsa.js';
import { sha256 } from '../bitcoin/hash.js';
import { pubkeyFromPrivkey } from '../bitcoin/secp256k1.js';

export const HELLO_NONCE_BYTES = 32;

/** The 32-byte hash a Hello's signature signs. */
export function helloDigest(
  monitorId: Uint8Array,
  nodeId: Uint8Array,
  timestampMs: bigint,
  nonce: Uint8Array,
): Uint8Array {
  return sha256(
    new ByteWriter(106)
      .bytes(expectLength(monitorId, 33, 'monitorId'))
      .bytes(expectLength(nodeId, 33, 'nodeId'))
      .u64be(timestampMs)
      .bytes(expectLength(nonce, HELLO_NONCE_BYTES, 'nonce'))
      .finish(),
  );
}

/** A Hello from the node whose key is `nodeSecret`, for the monitor `monitorId` (the client side). */
export function signHello(
  nodeSecret: Uint8Array,
  monitorId: Uint8Array,
  timestampMs: bigint,
  nonce: Uint8Array,
): pb.MessageInitShape<typeof pb.HelloSchema> {
  const nodeId = pubkeyFromPrivkey(nodeSecret, 'nodeSecret');
  const signature = signEcdsa(helloDigest(monitorId, nodeId, timestampMs, nonce), nodeSecret);
  return { nodeId, timestampMs, nonce, signature };
}
