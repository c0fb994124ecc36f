/**
 * Opening a session (DESIGN.md rule 1) and the frames that end one: each refusal is asserted by
 * its Error frame and gRPC status, and afterwards the monitor still serves and its stored state is
 * as before. Also GetStatus and the standard health service.
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { createClient } from '@vigil/proto/grpc-bridge';
import { toHex } from '@vigil/shared/bytes';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { putTenant } from '../src/store/tenant-store.js';
import { channelIdOf, initOf, updateOf } from '@vigil/test/fixtures/channel-series';
import { type Harness, keys, nodeIdOf, startHarness } from './support/harness.js';
import {
  type ClientFrameInit,
  connect,
  helloFrame,
  openRawSession,
  openSession,
  send,
  updateFrame,
  watchInitFrame,
} from './support/session-client.js';
import { storedState } from './support/stored-state.js';

let harness: Harness;
const sessions: { dispose(): void }[] = [];
function track<T extends { dispose(): void }>(session: T): T {
  sessions.push(session);
  return session;
}

beforeAll(async () => {
  harness = await startHarness({ helloTimeoutMs: 500, limits: { maxFrameBytes: 64 * 1024 } });
});

afterEach(() => {
  for (const session of sessions.splice(0)) session.dispose();
});

afterAll(async () => {
  await harness.close();
});

/** Runs `refuse` (which must end a session) and checks the monitor still serves, unchanged. */
async function expectRefused(refuse: () => Promise<void>): Promise<void> {
  const before = await storedState(harness.database.sql);
  await refuse();
  const after = await storedState(harness.database.sql);
  expect(after).toEqual(before);
  const { session, welcome } = await connect(harness.address, keys.alice, harness.monitor.monitorId);
  track(session);
  expect(toHex(welcome.monitorId)).toBe(toHex(harness.monitor.monitorId));
}

function helloSession(frame = helloFrame(keys.alice, harness.monitor.monitorId)) {
  const session = track(openSession(harness.address));
  session.write(frame);
  return session;
}

describe('Hello', () => {
  it('opens a session: Welcome with the monitor id, the channels and the limits', async () => {
    const { session, welcome } = await connect(harness.address, keys.alice, harness.monitor.monitorId);
    track(session);
    expect(welcome.channels).toEqual([]);
    expect(welcome.limits?.maxFrameBytes).toBe(64 * 1024);
    expect(welcome.limits?.maxUpdatesInFlight).toBe(64);
  });

  it('refuses a bad signature: UNAUTHENTICATED', async () => {
    await expectRefused(async () => {
      const frame = helloFrame(keys.alice, harness.monitor.monitorId);
      if (frame.frame?.case !== 'hello') throw new Error('expected a hello');
      const signature = Uint8Array.from(frame.frame.value.signature!);
      signature[10]! ^= 1;
      const forged = { frame: { case: 'hello' as const, value: { ...frame.frame.value, signature } } };
      const message = await helloSession(forged).expectEnd(grpc.status.UNAUTHENTICATED);
      expect(message).toMatch(
        /^hello\.signature: does not verify under hello\.nodeId for this monitor's id [0-9a-f]{66}$/,
      );
    });
  });

  it("refuses a Hello signed for another monitor's id: UNAUTHENTICATED", async () => {
    await expectRefused(async () => {
      const session = helloSession(helloFrame(keys.alice, nodeIdOf(keys.bob)));
      expect(await session.expectEnd(grpc.status.UNAUTHENTICATED)).toMatch(
        /^hello\.signature: does not verify/,
      );
    });
  });

  it('refuses a stale timestamp: UNAUTHENTICATED naming the window', async () => {
    await expectRefused(async () => {
      const timestampMs = BigInt(Date.now() - 120_000);
      const session = helloSession(helloFrame(keys.alice, harness.monitor.monitorId, { timestampMs }));
      expect(await session.expectEnd(grpc.status.UNAUTHENTICATED)).toMatch(
        new RegExp(
          `^hello\\.timestampMs: ${timestampMs} is \\d+ ms from the monitor's clock \\(\\d+\\); at most 60000 ms is accepted$`,
        ),
      );
    });
  });

  it('refuses a replayed nonce: UNAUTHENTICATED', async () => {
    const nonce = new Uint8Array(randomBytes(32));
    const hello = helloFrame(keys.alice, harness.monitor.monitorId, { nonce });
    await helloSession(hello).nextOf('welcome');
    await expectRefused(async () => {
      const message = await helloSession(hello).expectEnd(grpc.status.UNAUTHENTICATED);
      expect(message).toBe('hello.nonce: already used by this node id (a replayed Hello)');
    });
  });

  it('refuses a node id not on the allowlist: PERMISSION_DENIED', async () => {
    await expectRefused(async () => {
      const session = helloSession(helloFrame(keys.stranger, harness.monitor.monitorId));
      expect(await session.expectEnd(grpc.status.PERMISSION_DENIED)).toBe(
        `hello.nodeId: ${toHex(nodeIdOf(keys.stranger))} is not a tenant of this monitor`,
      );
    });
  });

  it('refuses a malformed Hello: INVALID_ARGUMENT naming the field', async () => {
    await expectRefused(async () => {
      const frame = { frame: { case: 'hello' as const, value: { nodeId: new Uint8Array(33) } } };
      expect(await helloSession(frame).expectEnd(grpc.status.INVALID_ARGUMENT)).toMatch(/^hello\.nodeId: /);
    });
  });

  it('refuses a first frame that is not a Hello: FAILED_PRECONDITION', async () => {
    await expectRefused(async () => {
      const session = helloSession(updateFrame(updateOf(channelIdOf(1), 1)));
      expect(await session.expectEnd(grpc.status.FAILED_PRECONDITION)).toBe(
        'frame.update: the first frame must be a hello',
      );
    });
  });

  it('ends a session that sends no Hello in time: UNAUTHENTICATED', async () => {
    const session = track(openSession(harness.address));
    expect(await session.expectEnd(grpc.status.UNAUTHENTICATED)).toBe(
      'hello: the session did not open within 500 ms',
    );
  });
});

describe('frames that end an open session', () => {
  it('garbage bytes before the Hello: INVALID_ARGUMENT naming what did not parse', async () => {
    await expectRefused(async () => {
      const raw = track(openRawSession(harness.address));
      raw.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f));
      expect(await raw.expectEnd(grpc.status.INVALID_ARGUMENT)).toMatch(
        /^frame: cannot parse 5 bytes as vigil\.monitor\.v1\.ClientFrame: /,
      );
    });
  });

  it('garbage bytes after an update: that one is acked first, what follows is not handled', async () => {
    const raw = track(openRawSession(harness.address));
    const encode = (frame: ClientFrameInit) =>
      pb.toBinary(pb.ClientFrameSchema, pb.create(pb.ClientFrameSchema, frame));
    raw.write(encode(helloFrame(keys.alice, harness.monitor.monitorId)));
    await raw.nextOf('welcome');
    raw.write(encode(watchInitFrame(initOf(channelIdOf(5)))));
    raw.write(Uint8Array.of(0x0a, 0x05, 0x01));
    raw.write(encode(watchInitFrame(initOf(channelIdOf(6)))));
    expect(pb.UpdateStatus[(await raw.nextOf('updateAck')).status]).toBe('PERSISTED');
    expect(await raw.expectEnd(grpc.status.INVALID_ARGUMENT)).toMatch(
      /^frame: cannot parse 3 bytes as vigil\.monitor\.v1\.ClientFrame: /,
    );
    const stored = await harness.database.sql`SELECT channel_id FROM channel_monitors ORDER BY channel_id`;
    expect(stored.map((r) => toHex(r['channel_id'] as Uint8Array))).toEqual([toHex(channelIdOf(5))]);
    await expectRefused(async () => {});
  });

  it('a frame with no case set: INVALID_ARGUMENT', async () => {
    const { session } = await connect(harness.address, keys.alice, harness.monitor.monitorId);
    track(session);
    session.write({});
    expect(await session.expectEnd(grpc.status.INVALID_ARGUMENT)).toBe(
      'frame: expected one of hello, watchChannel, update, eventAck, got none',
    );
  });

  it('a second Hello: FAILED_PRECONDITION', async () => {
    const { session } = await connect(harness.address, keys.alice, harness.monitor.monitorId);
    track(session);
    session.write(helloFrame(keys.alice, harness.monitor.monitorId));
    expect(await session.expectEnd(grpc.status.FAILED_PRECONDITION)).toBe(
      'frame.hello: the session is already open',
    );
  });

  it('an oversized frame: RESOURCE_EXHAUSTED from the frame size limit', async () => {
    const { session } = await connect(harness.address, keys.alice, harness.monitor.monitorId);
    track(session);
    await expectRefused(async () => {
      const step = { step: { case: 'paymentPreimage' as const, value: new Uint8Array(32) } };
      const steps = Array.from({ length: 2000 }, () => step);
      session.write({ frame: { case: 'update', value: { channelId: channelIdOf(1), updateId: 1n, steps } } });
      const status = await session.status;
      expect(grpc.status[status.code]).toBe('RESOURCE_EXHAUSTED');
      expect(status.details).toMatch(/^Received message larger than max \(\d+ vs 65536\)$/);
    });
  });
});

describe('provider mode', () => {
  it('admits only registered tenants: PERMISSION_DENIED until `tenants add`', async () => {
    await harness.restart({
      mode: 'provider',
      allowlist: [],
      helloTimeoutMs: 500,
      limits: { maxFrameBytes: 64 * 1024 },
    });
    await expectRefused(async () => {
      await putTenant(harness.database.sql, { nodeId: nodeIdOf(keys.alice), label: 'alice', limits: {} });
      const session = helloSession(helloFrame(keys.bob, harness.monitor.monitorId));
      expect(await session.expectEnd(grpc.status.PERMISSION_DENIED)).toBe(
        `hello.nodeId: ${toHex(nodeIdOf(keys.bob))} is not a tenant of this monitor`,
      );
    });
    await putTenant(harness.database.sql, {
      nodeId: nodeIdOf(keys.bob),
      label: 'bob',
      limits: { maxChannels: 3 },
    });
    const { session, welcome } = await connect(harness.address, keys.bob, harness.monitor.monitorId);
    track(session);
    expect(welcome.limits?.maxChannels).toBe(3);
    expect(pb.UpdateStatus[(await send(session, watchInitFrame(initOf(channelIdOf(9))))).status]).toBe(
      'PERSISTED',
    );
  });
});

describe('GetStatus and health', () => {
  it('reports the monitor id, mode and sessions without a Hello', async () => {
    const client = createClient(pb.MonitorService, harness.address, grpc.credentials.createInsecure());
    const status = await client.getStatus({});
    client.channel.close();
    expect(toHex(status.monitorId)).toBe(toHex(harness.monitor.monitorId));
    expect(status.serving).toBe(true);
    expect(status.defaultLimits?.maxFrameBytes).toBe(64 * 1024);
  });

  it('serves grpc.health.v1: SERVING for the server and MonitorService, NOT_FOUND for others', async () => {
    const health = createClient(pb.Health, harness.address, grpc.credentials.createInsecure());
    const Serving = pb.HealthCheckResponse_ServingStatus;
    expect((await health.check({ service: '' })).status).toBe(Serving.SERVING);
    expect((await health.check({ service: 'vigil.monitor.v1.MonitorService' })).status).toBe(Serving.SERVING);
    await expect(health.check({ service: 'nope' })).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    health.channel.close();
  });
});
