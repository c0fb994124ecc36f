/**
 * Durability across restarts (DESIGN.md rules 2 and 3, "Storage"): the monitor loads its state
 * from the database, Welcome reports what was persisted, repeats are answered with their first
 * receipt, compaction keeps enough of the update log to answer them, and a graceful shutdown acks
 * every frame it received before it ends the session.
 */
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { toHex } from '@vigil/shared/bytes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelIdOf, initOf, updateOf, updatesOf } from '@vigil/test/fixtures/channel-series';
import { type Harness, keys, nodeIdOf, startHarness } from './support/harness.js';
import { connect, send, updateFrame, watchInitFrame } from './support/session-client.js';

let harness: Harness;
const channel = channelIdOf(1);

beforeAll(async () => {
  harness = await startHarness({ updateLogRetain: 3 });
});

afterAll(async () => {
  await harness.close();
});

const openAlice = () => connect(harness.address, keys.alice, harness.monitor.monitorId);

describe('restart', () => {
  let lastAck: pb.UpdateAck;

  it('keeps its identity and every persisted channel: Welcome resumes from them', async () => {
    const { session } = await openAlice();
    await send(session, watchInitFrame(initOf(channel)));
    for (const update of updatesOf(channel, 1, 9)) lastAck = await send(session, updateFrame(update));
    session.dispose();
    const monitorId = toHex(harness.monitor.monitorId);
    await harness.restart();
    expect(toHex(harness.monitor.monitorId)).toBe(monitorId);
    const { session: again, welcome } = await openAlice();
    expect(welcome.channels.map((c) => [toHex(c.channelId), c.latestUpdateId, c.lockedDown])).toEqual([
      [toHex(channel), 9n, false],
    ]);
    expect(await send(again, updateFrame(updateOf(channel, 9)))).toEqual(lastAck);
    expect(pb.UpdateStatus[(await send(again, updateFrame(updateOf(channel, 10)))).status]).toBe('PERSISTED');
    again.dispose();
  });

  it('compacts the update log to the last N per channel: older repeats are STALE', async () => {
    await harness.monitor.runMaintenance();
    const rows = await harness.database.sql`SELECT update_id FROM channel_update_log ORDER BY update_id`;
    expect(rows.map((r) => r['update_id'])).toEqual([8n, 9n, 10n]);
    const { session } = await openAlice();
    expect(await send(session, updateFrame(updateOf(channel, 9)))).toEqual(lastAck);
    const stale = await send(session, updateFrame(updateOf(channel, 2)));
    expect([pb.InvalidReason[stale.reason], stale.detail]).toEqual([
      'STALE',
      'update.updateId: update 2 is older than the update log this monitor keeps (the channel is at 10)',
    ]);
    session.dispose();
  });

  it('forgets Hello nonces whose timestamps left the window', async () => {
    const old = BigInt(Date.now() - 61_000);
    await harness.database.sql`
      INSERT INTO hello_nonces (node_id, nonce, timestamp_ms) VALUES (${nodeIdOf(keys.bob)}, ${new Uint8Array(32)}, ${old})`;
    await harness.monitor.runMaintenance();
    const rows = await harness.database.sql`SELECT 1 FROM hello_nonces WHERE timestamp_ms = ${old}`;
    expect(rows).toHaveLength(0);
  });
});

describe('graceful shutdown', () => {
  it('acks in order what it read, ends the session with UNAVAILABLE, and every ack survives the restart', async () => {
    const { session } = await openAlice();
    for (const update of updatesOf(channel, 11, 25)) session.write(updateFrame(update));
    let last = (await session.nextOf('updateAck')).updateId;
    const stopped = harness.monitor.shutdown();
    for (
      let frame = (await session.next()).frame;
      frame.case !== 'error';
      frame = (await session.next()).frame
    ) {
      expect(frame.case).toBe('updateAck');
      if (frame.case === 'updateAck') {
        expect([frame.value.updateId, pb.UpdateStatus[frame.value.status]]).toEqual([last + 1n, 'PERSISTED']);
        last = frame.value.updateId;
      }
    }
    const status = await session.status;
    expect([grpc.status[status.code], status.details]).toEqual([
      'UNAVAILABLE',
      'the monitor is shutting down; resend what was not acked when it is back',
    ]);
    // Frames the server had not read when the shutdown began are not in flight: they get no ack
    // and the manager resends them. What must hold is that every ack is durable (below).
    expect(last).toBeGreaterThanOrEqual(11n);
    expect(last).toBeLessThanOrEqual(25n);
    await stopped;
    await harness.restart();
    const { session: again, welcome } = await openAlice();
    expect(welcome.channels[0]!.latestUpdateId).toBe(last);
    again.dispose();
  });
});
