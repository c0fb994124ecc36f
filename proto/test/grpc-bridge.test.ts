/**
 * The grpc-js bridge over a real socket, with the generated grpc.health.v1 service: typed unary
 * and server-streaming calls both ways, and a request that does not parse reaching the handler as
 * such (instead of grpc-js's bare INTERNAL).
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addService, createClient, methodPath, type Received } from '../src/grpc-bridge.js';
import * as pb from '../src/index.js';

const Serving = pb.HealthCheckResponse_ServingStatus;
const server = new grpc.Server();
let address: string;
const received: Received<pb.HealthCheckRequest>[] = [];

beforeAll(async () => {
  addService(server, pb.Health, {
    check: (call, callback) => {
      received.push(call.request);
      if (!call.request.ok)
        return callback({ code: grpc.status.INVALID_ARGUMENT, details: call.request.problem });
      callback(null, { status: call.request.message.service === '' ? Serving.SERVING : Serving.NOT_SERVING });
    },
    watch: (call) => {
      call.write({ status: Serving.SERVING });
      call.write({ status: Serving.NOT_SERVING });
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  address = `127.0.0.1:${port}`;
});

afterAll(() => {
  server.forceShutdown();
});

describe('grpc-js bridge', () => {
  it('makes typed unary calls', async () => {
    const client = createClient(pb.Health, address, grpc.credentials.createInsecure());
    expect((await client.check({ service: '' })).status).toBe(Serving.SERVING);
    expect((await client.check({ service: 'other' })).status).toBe(Serving.NOT_SERVING);
    expect(received.at(-1)).toMatchObject({ ok: true, message: { service: 'other' } });
    client.channel.close();
  });

  it('streams typed responses', async () => {
    const client = createClient(pb.Health, address, grpc.credentials.createInsecure());
    const statuses: pb.HealthCheckResponse_ServingStatus[] = [];
    for await (const response of client.watch({ service: '' })) {
      statuses.push((response as pb.HealthCheckResponse).status);
    }
    expect(statuses).toEqual([Serving.SERVING, Serving.NOT_SERVING]);
    client.channel.close();
  });

  it('hands the handler a request that does not parse, with the reason', async () => {
    const raw = new grpc.Client(address, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError | null>((resolve) =>
      raw.makeUnaryRequest(
        methodPath(pb.Health.method.check),
        (bytes: Uint8Array) => Buffer.from(bytes),
        (bytes: Buffer) => bytes,
        Uint8Array.of(0x0a, 0x09, 0x61),
        (e) => resolve(e),
      ),
    );
    raw.close();
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/^cannot parse 3 bytes as grpc\.health\.v1\.HealthCheckRequest: /);
  });
});
