/**
 * The durable event outbox (DESIGN.md rule 5): events enqueued in a transaction are sent after
 * the Welcome in sequence order, to their tenant only, again on every session until acknowledged,
 * and at once to an open session when the monitor is told of them.
 */
import * as grpc from '@grpc/grpc-js';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { fromProtoMonitorEvent } from '@vigil/shared/monitor-model/proto-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_WINDOW } from '../src/service/event-feed.js';
import { enqueueEvent } from '../src/store/event-outbox.js';
import { channelIdOf } from '@vigil/test/fixtures/channel-series';
import { type Harness, keys, nodeIdOf, startHarness } from './support/harness.js';
import { type ClientFrameInit, connect, eventAckFrame, type TestSession } from './support/session-client.js';

let harness: Harness;
const alice = nodeIdOf(keys.alice);

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness.close();
});

const claimConfirmed = (n: number): MonitorEvent => ({
  kind: 'claimConfirmed',
  channelId: channelIdOf(1),
  txid: new Uint8Array(32).fill(n),
});

/** Enqueues events for alice in one transaction, as the enforcement engine will. */
async function enqueue(...events: MonitorEvent[]): Promise<bigint[]> {
  return harness.database.sql.begin(async (tx) => {
    const sequences: bigint[] = [];
    for (const event of events) sequences.push(await enqueueEvent(tx, alice, event));
    return sequences;
  });
}

async function nextEvent(
  session: TestSession<ClientFrameInit>,
): Promise<{ sequence: bigint; event: MonitorEvent }> {
  const frame = await session.nextOf('event');
  return { sequence: frame.sequence, event: fromProtoMonitorEvent(frame.event!) };
}

async function connectAlice() {
  return (await connect(harness.address, keys.alice, harness.monitor.monitorId)).session;
}

/** True if no frame arrives within `ms`. */
async function quietFor(session: TestSession<ClientFrameInit>, ms: number): Promise<boolean> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return session.unread === 0;
}

describe('events', () => {
  it('sends pending events after the Welcome, in sequence order', async () => {
    expect(await enqueue(claimConfirmed(1), claimConfirmed(2), claimConfirmed(3))).toEqual([1n, 2n, 3n]);
    const session = await connectAlice();
    for (const n of [1, 2, 3])
      expect(await nextEvent(session)).toEqual({ sequence: BigInt(n), event: claimConfirmed(n) });
    session.write(eventAckFrame(2n));
    expect((await session.finish()).code).toBe(grpc.status.OK);
  });

  it('sends again, after a reconnect, what was not acknowledged', async () => {
    const session = await connectAlice();
    expect(await nextEvent(session)).toEqual({ sequence: 3n, event: claimConfirmed(3) });
    expect(await quietFor(session, 200)).toBe(true);
    expect((await session.finish()).code).toBe(grpc.status.OK);
  });

  it('sends an event enqueued while the session is open once told, and not to other tenants', async () => {
    const session = await connectAlice();
    await nextEvent(session);
    const bob = (await connect(harness.address, keys.bob, harness.monitor.monitorId)).session;
    await enqueue(claimConfirmed(4));
    harness.monitor.notifyEvents(alice);
    harness.monitor.notifyEvents(nodeIdOf(keys.bob));
    expect(await nextEvent(session)).toEqual({ sequence: 4n, event: claimConfirmed(4) });
    expect(await quietFor(bob, 200)).toBe(true);
    bob.dispose();
    session.write(eventAckFrame(4n));
    expect((await session.finish()).code).toBe(grpc.status.OK);
    const rows = await harness.database.sql`SELECT sequence FROM event_outbox WHERE tenant = ${alice}`;
    expect(rows).toHaveLength(0);
  });

  it(`keeps at most ${EVENT_WINDOW} events unacknowledged per session, sending more as acks come`, async () => {
    const sequences = await enqueue(...Array.from({ length: EVENT_WINDOW + 6 }, (_, i) => claimConfirmed(i)));
    const session = await connectAlice();
    for (const sequence of sequences.slice(0, EVENT_WINDOW))
      expect((await nextEvent(session)).sequence).toBe(sequence);
    expect(await quietFor(session, 200)).toBe(true);
    session.write(eventAckFrame(sequences[EVENT_WINDOW - 1]!));
    for (const sequence of sequences.slice(EVENT_WINDOW))
      expect((await nextEvent(session)).sequence).toBe(sequence);
    session.write(eventAckFrame(sequences[sequences.length - 1]!));
    expect((await session.finish()).code).toBe(grpc.status.OK);
  });

  it('refuses an ack of a sequence this session did not send: INVALID_ARGUMENT', async () => {
    await enqueue(claimConfirmed(9));
    const session = await connectAlice();
    const { sequence } = await nextEvent(session);
    session.write(eventAckFrame(sequence + 5n));
    expect(await session.expectEnd(grpc.status.INVALID_ARGUMENT)).toBe(
      `eventAck.sequence: ${sequence + 5n} was not sent on this session (the last sent is ${sequence})`,
    );
    const rows = await harness.database.sql`SELECT sequence FROM event_outbox WHERE tenant = ${alice}`;
    expect(rows.map((r) => r['sequence'])).toEqual([sequence]);
  });
});
