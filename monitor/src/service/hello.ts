/**
 * The session's Hello (DESIGN.md rule 1; byte layout in proto/vigil/monitor/v1/monitor.proto): the
 * manager proves its node key by signing
 *   SHA256(monitor_id[33] || node_id[33] || timestamp_ms[8, big-endian] || nonce[32])
 * and the monitor admits it only if the signature verifies, the timestamp is within the window of
 * its own clock, the node id is a tenant, and the nonce is new for that node id. The checks run
 * in that order so that only a validly signed Hello of a tenant can write to the nonce cache. The
 * digest and the client's signing live in @vigil/shared/monitor-model/hello (the manager signs).
 */
import { status } from '@grpc/grpc-js';
import type * as pb from '@vigil/proto';
import { expectLength, toHex } from '@vigil/shared/bytes';
import { verifyEcdsa } from '@vigil/shared/bitcoin/ecdsa';
import { validatePubkey } from '@vigil/shared/bitcoin/secp256k1';
import type { Database } from '@vigil/shared/db/database';
import { VigilError } from '@vigil/shared/errors';
import { HELLO_NONCE_BYTES, helloDigest } from '@vigil/shared/monitor-model/hello';
import { rememberNonce } from '../store/nonce-cache.js';
import { SessionError } from './session-error.js';
import type { Tenant, TenantDirectory } from './tenants.js';

const U63_MAX = (1n << 63n) - 1n;

export interface HelloPolicy {
  readonly db: Database;
  /** This monitor's identity public key. */
  readonly monitorId: Uint8Array;
  readonly tenants: TenantDirectory;
  /** A Hello's timestamp may differ from the monitor's clock by at most this much. */
  readonly windowMs: number;
  readonly now: () => number;
}

/** Admits the Hello's tenant or throws the SessionError the stream ends with. */
export async function admitHello(hello: pb.Hello, policy: HelloPolicy): Promise<Tenant> {
  checkShape(hello);
  checkFresh(hello.timestampMs, policy);
  const digest = helloDigest(policy.monitorId, hello.nodeId, hello.timestampMs, hello.nonce);
  if (!verifyEcdsa(hello.signature, digest, hello.nodeId)) {
    throw new SessionError(
      status.UNAUTHENTICATED,
      `hello.signature: does not verify under hello.nodeId for this monitor's id ${toHex(policy.monitorId)}`,
    );
  }
  const limits = await policy.tenants.find(hello.nodeId);
  if (limits === undefined) {
    throw new SessionError(
      status.PERMISSION_DENIED,
      `hello.nodeId: ${toHex(hello.nodeId)} is not a tenant of this monitor`,
    );
  }
  if (!(await rememberNonce(policy.db, hello.nodeId, hello.nonce, hello.timestampMs))) {
    throw new SessionError(
      status.UNAUTHENTICATED,
      'hello.nonce: already used by this node id (a replayed Hello)',
    );
  }
  return { nodeId: Uint8Array.from(hello.nodeId), hex: toHex(hello.nodeId), limits };
}

function checkShape(hello: pb.Hello): void {
  try {
    validatePubkey(hello.nodeId, 'hello.nodeId');
    expectLength(hello.nonce, HELLO_NONCE_BYTES, 'hello.nonce');
    expectLength(hello.signature, 64, 'hello.signature');
  } catch (e) {
    if (e instanceof VigilError) throw new SessionError(status.INVALID_ARGUMENT, e.message);
    throw e;
  }
  if (hello.timestampMs > U63_MAX) {
    throw new SessionError(
      status.INVALID_ARGUMENT,
      `hello.timestampMs: ${hello.timestampMs} is out of range`,
    );
  }
}

function checkFresh(timestampMs: bigint, policy: HelloPolicy): void {
  const now = BigInt(policy.now());
  const skew = timestampMs > now ? timestampMs - now : now - timestampMs;
  if (skew > BigInt(policy.windowMs)) {
    throw new SessionError(
      status.UNAUTHENTICATED,
      `hello.timestampMs: ${timestampMs} is ${skew} ms from the monitor's clock (${now}); at most ${policy.windowMs} ms is accepted`,
    );
  }
}
