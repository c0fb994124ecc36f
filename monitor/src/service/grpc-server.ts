/**
 * The gRPC server: its credentials (TLS with an optional client CA; plaintext only on loopback,
 * which the configuration enforces), its frame size limit (DESIGN.md rule 6), binding, and
 * shutting it down.
 */
import * as grpc from '@grpc/grpc-js';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  readonly clientCa?: Buffer;
}

/** Keepalive pings find peers that vanished without closing, so their sessions end. */
const KEEPALIVE_TIME_MS = 60_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;

export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.clientCa !== undefined,
  );
}

/** A server refusing frames larger than `maxFrameBytes` with RESOURCE_EXHAUSTED. */
export function createServer(maxFrameBytes: number): grpc.Server {
  return new grpc.Server({
    'grpc.max_receive_message_length': maxFrameBytes,
    'grpc.keepalive_time_ms': KEEPALIVE_TIME_MS,
    'grpc.keepalive_timeout_ms': KEEPALIVE_TIMEOUT_MS,
  });
}

/** Binds `address` (`host:port`, port 0 for any) and returns the port. */
export function bind(
  server: grpc.Server,
  address: string,
  credentials: grpc.ServerCredentials,
): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(address, credentials, (error, port) => (error ? reject(error) : resolve(port))),
  );
}

/** Stops accepting connections and calls; resolves once every open call has ended. */
export function stopAccepting(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => server.tryShutdown(() => resolve()));
}
