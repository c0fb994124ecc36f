/**
 * The standard gRPC health service (grpc.health.v1, generated from proto/grpc/health/v1/health.proto
 * and served through the bridge like MonitorService). The server and MonitorService are SERVING
 * until shutdown starts, then NOT_SERVING, so a load balancer stops sending new sessions while
 * the open ones drain.
 */
import { status } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import type { Received } from '@vigil/proto/grpc-bridge';

const ServingStatus = pb.HealthCheckResponse_ServingStatus;
type Response = pb.MessageInitShape<typeof pb.HealthCheckResponseSchema>;
type WatchCall = grpc.ServerWritableStream<Received<pb.HealthCheckRequest>, Response>;

/** The services this server reports on: "" is the server as a whole. */
const KNOWN_SERVICES = new Set(['', pb.MonitorService.typeName]);

export class HealthService {
  #serving = true;
  readonly #watchers = new Set<{ call: WatchCall; service: string }>();

  #statusOf(service: string): pb.HealthCheckResponse_ServingStatus {
    if (!KNOWN_SERVICES.has(service)) return ServingStatus.SERVICE_UNKNOWN;
    return this.#serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }

  check(
    call: grpc.ServerUnaryCall<Received<pb.HealthCheckRequest>, Response>,
    callback: grpc.sendUnaryData<Response>,
  ): void {
    const request = call.request;
    if (!request.ok)
      return callback({ code: status.INVALID_ARGUMENT, details: `request: ${request.problem}` });
    const service = request.message.service;
    if (!KNOWN_SERVICES.has(service))
      return callback({ code: status.NOT_FOUND, details: `unknown service ${JSON.stringify(service)}` });
    callback(null, { status: this.#statusOf(service) });
  }

  /** Sends the status now and at every change, until the client or `endWatches` ends the call. */
  watch(call: WatchCall): void {
    const request = call.request;
    if (!request.ok) {
      call.emit('error', { code: status.INVALID_ARGUMENT, details: `request: ${request.problem}` });
      return;
    }
    const watcher = { call, service: request.message.service };
    this.#watchers.add(watcher);
    call.on('cancelled', () => this.#watchers.delete(watcher));
    call.write({ status: this.#statusOf(watcher.service) });
  }

  /** Shutdown has started. */
  setNotServing(): void {
    this.#serving = false;
    for (const { call, service } of this.#watchers) call.write({ status: this.#statusOf(service) });
  }

  /** Ends the Watch calls (they would otherwise keep the server from closing). */
  endWatches(): void {
    for (const { call } of this.#watchers) call.end();
    this.#watchers.clear();
  }
}
