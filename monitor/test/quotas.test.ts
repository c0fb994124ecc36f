/**
 * The limits of DESIGN.md rule 6 other than the frame size (session-auth.test.ts): channels and
 * stored bytes per tenant, update rate per tenant, updates in flight per stream. Each is answered
 * INVALID / QUOTA_EXCEEDED naming the limit, stores nothing, and leaves the session serving.
 */
import * as pb from '@vigil/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { readUsage } from '../src/store/tenant-usage.js';
import { channelIdOf, initOf, updateOf } from '@vigil/test/fixtures/channel-series';
import { type ConfigOverrides, type Harness, keys, nodeIdOf, startHarness } from './support/harness.js';
import {
  type ClientFrameInit,
  connect,
  send,
  type TestSession,
  updateFrame,
  watchInitFrame,
} from './support/session-client.js';
import { storedState } from './support/stored-state.js';

let harness: Harness | undefined;
let session: TestSession<ClientFrameInit> | undefined;

async function open(overrides: ConfigOverrides) {
  harness = await startHarness(overrides);
  session = (await connect(harness.address, keys.alice, harness.monitor.monitorId)).session;
  return { harness, session };
}

afterEach(async () => {
  session?.dispose();
  await harness?.close();
  harness = session = undefined;
});

const channel = channelIdOf(1);
const status = (ack: pb.UpdateAck) => pb.UpdateStatus[ack.status];

/** Expects QUOTA_EXCEEDED with `detail`, and no change to what is stored. */
async function expectQuota(
  h: Harness,
  s: TestSession<ClientFrameInit>,
  frame: ClientFrameInit,
  detail: RegExp,
) {
  const before = await storedState(h.database.sql);
  const ack = await send(s, frame);
  expect([status(ack), pb.InvalidReason[ack.reason]]).toEqual(['INVALID', 'QUOTA_EXCEEDED']);
  expect(ack.detail).toMatch(detail);
  expect(await storedState(h.database.sql)).toEqual(before);
}

/** The usage counter equals what the tables hold (snapshots, records, retained log). */
async function expectUsageExact(h: Harness): Promise<void> {
  const [actual] = await h.database.sql<{ bytes: bigint }[]>`
    SELECT (SELECT coalesce(sum(length(snapshot)), 0) FROM channel_monitors)
         + (SELECT coalesce(sum(length(record)), 0) FROM counterparty_commitments)
         + (SELECT coalesce(sum(length(payload)), 0) FROM channel_update_log) AS bytes`;
  expect((await readUsage(h.database.sql, nodeIdOf(keys.alice))).storedBytes).toBe(BigInt(actual!.bytes));
}

describe('quotas', () => {
  it('channels per tenant', async () => {
    const { harness: h, session: s } = await open({ limits: { maxChannelsPerTenant: 1 } });
    expect(status(await send(s, watchInitFrame(initOf(channel))))).toBe('PERSISTED');
    await expectQuota(
      h,
      s,
      watchInitFrame(initOf(channelIdOf(2))),
      /^quota\.channels: the tenant has 1 of at most 1 channels$/,
    );
    expect(status(await send(s, updateFrame(updateOf(channel, 1))))).toBe('PERSISTED');
  });

  it('stored bytes per tenant, counted exactly; compaction makes room again', async () => {
    const { harness: h, session: s } = await open({
      limits: { maxStoredBytesPerTenant: 4_000n },
      updateLogRetain: 1,
    });
    expect(status(await send(s, watchInitFrame(initOf(channel))))).toBe('PERSISTED');
    let next = 1;
    for (; ; next++) {
      const ack = await send(s, updateFrame(updateOf(channel, next)));
      if (status(ack) !== 'PERSISTED') {
        expect(ack.detail).toMatch(
          /^quota\.storedBytes: the tenant stores \d+ of at most 4000 bytes; this change needs \d+ more$/,
        );
        break;
      }
      await expectUsageExact(h);
    }
    await expectQuota(h, s, updateFrame(updateOf(channel, next)), /^quota\.storedBytes: /);
    await h.monitor.runMaintenance();
    await expectUsageExact(h);
    expect(status(await send(s, updateFrame(updateOf(channel, next))))).toBe('PERSISTED');
    await expectUsageExact(h);
  });

  it('update rate per tenant', async () => {
    const { harness: h, session: s } = await open({ limits: { maxUpdatesPerSecond: 4 } });
    const frames = [
      watchInitFrame(initOf(channel)),
      ...[1, 2, 3, 4, 5].map((id) => updateFrame(updateOf(channel, id))),
    ];
    for (const frame of frames) s.write(frame);
    const acks = await s.nextAcks(frames.length);
    expect(acks.map(status)).toEqual([
      'PERSISTED',
      'PERSISTED',
      'PERSISTED',
      'PERSISTED',
      'INVALID',
      'INVALID',
    ]);
    expect(acks[4]!.detail).toBe(
      'quota.updatesPerSecond: the tenant sent more than 4 WatchChannel and Update frames in a second',
    );
    const [row] = await h.database.sql`SELECT latest_update_id FROM channel_monitors`;
    expect(row!['latest_update_id']).toBe(3n);
  });

  it('updates in flight per stream: the excess is answered at once', async () => {
    const { harness: h, session: s } = await open({ limits: { maxUpdatesInFlight: 2 } });
    const frames = [
      watchInitFrame(initOf(channel)),
      ...[1, 2, 3].map((id) => updateFrame(updateOf(channel, id))),
    ];
    for (const frame of frames) s.write(frame);
    const acks = await s.nextAcks(frames.length);
    const byId = new Map(acks.map((ack) => [ack.updateId, ack]));
    expect([0n, 1n].map((id) => status(byId.get(id)!))).toEqual(['PERSISTED', 'PERSISTED']);
    for (const id of [2n, 3n]) {
      expect(byId.get(id)!.detail).toBe(
        'quota.updatesInFlight: more than 2 WatchChannel and Update frames unacked on this stream',
      );
    }
    const [row] = await h.database.sql`SELECT latest_update_id FROM channel_monitors`;
    expect(row!['latest_update_id']).toBe(1n);
    expect(status(await send(s, updateFrame(updateOf(channel, 2))))).toBe('PERSISTED');
  });
});
