/**
 * WatchChannel and Update over a real Session stream against real Postgres (DESIGN.md rules 2 and
 * 3): acks only after commit, with receipts a tenant can verify; idempotent repeats; and every
 * INVALID reason, each leaving the stored state as it was.
 */
import * as pb from '@vigil/proto';
import { toHex } from '@vigil/shared/bytes';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import { createChannelMonitor } from '@vigil/shared/monitor-model/create-monitor';
import { decodeChannelMonitor, encodeChannelMonitorUpdate } from '@vigil/shared/monitor-model/proto-codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyReceipt } from '@vigil/shared/monitor-model/receipt';
import { channelRecords } from '../src/store/counterparty-records.js';
import {
  balancesOf,
  channelIdOf,
  fixture,
  initOf,
  updateOf,
  updatesOf,
} from '@vigil/test/fixtures/channel-series';
import { type Harness, keys, nodeIdOf, startHarness } from './support/harness.js';
import {
  type ClientFrameInit,
  connect,
  send,
  type TestSession,
  updateFrame,
  watchInitFrame,
  watchSnapshotFrame,
} from './support/session-client.js';
import { storedState } from './support/stored-state.js';

let harness: Harness;
let alice: TestSession<ClientFrameInit>;
const channel = channelIdOf(1);

beforeAll(async () => {
  harness = await startHarness();
  alice = (await connect(harness.address, keys.alice, harness.monitor.monitorId)).session;
});

afterAll(async () => {
  alice.dispose();
  await harness.close();
});

async function storedSnapshot(channelId: Uint8Array): Promise<Uint8Array> {
  const [row] = await harness.database.sql<{ snapshot: Uint8Array }[]>`
    SELECT snapshot FROM channel_monitors WHERE tenant = ${nodeIdOf(keys.alice)} AND channel_id = ${channelId}`;
  return new Uint8Array(row!.snapshot);
}

/** Checks the ack is PERSISTED and its receipt signs what is stored now. */
async function expectPersisted(ack: pb.UpdateAck, channelId: Uint8Array, updateId: number): Promise<void> {
  expect({ status: pb.UpdateStatus[ack.status], detail: ack.detail }).toEqual({
    status: 'PERSISTED',
    detail: '',
  });
  expect(ack.updateId).toBe(BigInt(updateId));
  expect(toHex(ack.stateHash)).toBe(toHex(sha256(await storedSnapshot(channelId))));
  const fields = {
    nodeId: nodeIdOf(keys.alice),
    channelId,
    updateId: BigInt(updateId),
    stateHash: ack.stateHash,
  };
  expect(verifyReceipt(harness.monitor.monitorId, fields, ack.receipt)).toBe(true);
}

/** Sends `frame` expecting INVALID for `reason`, and that nothing stored changed. */
async function expectInvalid(frame: ClientFrameInit, reason: keyof typeof pb.InvalidReason, detail: RegExp) {
  const before = await storedState(harness.database.sql);
  const ack = await send(alice, frame);
  expect({ status: pb.UpdateStatus[ack.status], reason: pb.InvalidReason[ack.reason] }).toEqual({
    status: 'INVALID',
    reason,
  });
  expect(ack.detail).toMatch(detail);
  expect(ack.receipt).toHaveLength(0);
  expect(await storedState(harness.database.sql)).toEqual(before);
  return ack;
}

describe('a channel through the session', () => {
  it('watches a new channel: PERSISTED at update 0, with a receipt over the stored snapshot', async () => {
    const ack = await send(alice, watchInitFrame(initOf(channel)));
    await expectPersisted(ack, channel, 0);
    const records = await channelRecords(harness.database.sql, nodeIdOf(keys.alice), channel);
    expect(records.map((r) => r.commitmentNumber)).toEqual([0]);
  });

  it('persists a series of updates in order, each acked with a verifiable receipt', async () => {
    for (const update of updatesOf(channel, 1, 9)) {
      await expectPersisted(await send(alice, updateFrame(update)), channel, update.updateId);
    }
    let expected = createChannelMonitor(initOf(channel)).monitor;
    for (const update of updatesOf(channel, 1, 9)) expected = applyUpdate(expected, update).monitor;
    expect(decodeChannelMonitor(await storedSnapshot(channel))).toEqual(expected);
    const records = await channelRecords(harness.database.sql, nodeIdOf(keys.alice), channel);
    expect(records.map((r) => r.commitmentNumber)).toEqual([0, 1, 2, 3]);
  });

  it('answers a repeat of a persisted update with the same ack and receipt, changing nothing', async () => {
    const first = await send(alice, updateFrame(updateOf(channel, 10)));
    const before = await storedState(harness.database.sql);
    const again = await send(alice, updateFrame(updateOf(channel, 10)));
    expect(again).toEqual(first);
    const older = await send(alice, updateFrame(updateOf(channel, 4)));
    expect(pb.UpdateStatus[older.status]).toBe('PERSISTED');
    expect(await storedState(harness.database.sql)).toEqual(before);
  });

  it('answers a repeated init with its first ack', async () => {
    const ack = await send(alice, watchInitFrame(initOf(channel)));
    expect(pb.UpdateStatus[ack.status]).toBe('PERSISTED');
    expect(ack.updateId).toBe(0n);
  });

  it('pipelines: many updates sent at once are acked in order', async () => {
    const updates = updatesOf(channel, 11, 20);
    for (const update of updates) alice.write(updateFrame(update));
    for (const update of updates) {
      const ack = await alice.nextOf('updateAck');
      expect([ack.updateId, pb.UpdateStatus[ack.status]]).toEqual([BigInt(update.updateId), 'PERSISTED']);
    }
  });
});

describe('INVALID answers, nothing stored', () => {
  it('different bytes for a persisted update id: CONFLICT', async () => {
    const other = {
      ...updateOf(channel, 5),
      steps: [{ kind: 'channelForceClosed' as const, shouldBroadcast: false }],
    };
    await expectInvalid(
      updateFrame(other),
      'CONFLICT',
      /^update\.updateId: update 5 was persisted with different bytes/,
    );
  });

  it('an update id gap: UPDATE_ID_GAP naming the expected id', async () => {
    await expectInvalid(
      updateFrame(updateOf(channel, 22)),
      'UPDATE_ID_GAP',
      /^update\.updateId: expected 21, got 22$/,
    );
  });

  it('a channel the tenant does not have: UNKNOWN_CHANNEL', async () => {
    await expectInvalid(
      updateFrame(updateOf(channelIdOf(9), 1)),
      'UNKNOWN_CHANNEL',
      new RegExp(`^update\\.channelId: this tenant has no channel ${toHex(channelIdOf(9))}$`),
    );
  });

  it("another tenant's channel: the same UNKNOWN_CHANNEL, revealing nothing", async () => {
    const bob = (await connect(harness.address, keys.bob, harness.monitor.monitorId)).session;
    const bobsChannel = channelIdOf(7);
    expect(pb.UpdateStatus[(await send(bob, watchInitFrame(initOf(bobsChannel)))).status]).toBe('PERSISTED');
    bob.dispose();
    const known = await expectInvalid(updateFrame(updateOf(bobsChannel, 1)), 'UNKNOWN_CHANNEL', /no channel/);
    const unknown = await send(alice, updateFrame(updateOf(channelIdOf(8), 1)));
    expect(known.detail.replace(toHex(bobsChannel), 'X')).toBe(
      unknown.detail.replace(toHex(channelIdOf(8)), 'X'),
    );
  });

  it('a step that does not verify: MALFORMED naming the field', async () => {
    const next = updateOf(channel, 21);
    const step = next.steps[0]!;
    if (step.kind !== 'latestHolderCommitment') throw new Error('expected a holder commitment step');
    const forged = { ...step.commitment, counterpartySignature: new Uint8Array(64).fill(1) };
    await expectInvalid(
      updateFrame({ ...next, steps: [{ ...step, commitment: forged }] }),
      'MALFORMED',
      /^update\.steps\[0\]\.commitment\.counterpartySignature: does not sign/,
    );
  });

  it('a malformed update (wrong channel id length): MALFORMED', async () => {
    const frame: ClientFrameInit = {
      frame: { case: 'update', value: { channelId: new Uint8Array(31), updateId: 21n, steps: [] } },
    };
    await expectInvalid(frame, 'MALFORMED', /^update\.channelId: expected 32 bytes, got 31$/);
  });

  it('an init for a channel already watched, with other contents: CONFLICT', async () => {
    const other = { ...initOf(channel), destinationScript: Uint8Array.of(0x51) };
    await expectInvalid(
      watchInitFrame(other),
      'CONFLICT',
      /^watchChannel\.init: update 0 was persisted with different bytes/,
    );
  });
});

describe('snapshots', () => {
  const fresh = channelIdOf(2);
  const stateAt = (channelId: Uint8Array, updateId: number) => {
    let m = createChannelMonitor(initOf(channelId)).monitor;
    for (const u of updatesOf(channelId, 1, updateId)) m = applyUpdate(m, u).monitor;
    return m;
  };

  it('creates a channel the monitor lacks from a snapshot with its revoked records', async () => {
    const snapshot = stateAt(fresh, 6);
    const revoked = [0, 1].map((n) => fixture.counterpartyCommitment(n, balancesOf(n)));
    const ack = await send(alice, watchSnapshotFrame(snapshot, revoked));
    await expectPersisted(ack, fresh, 6);
    const records = await channelRecords(harness.database.sql, nodeIdOf(keys.alice), fresh);
    expect(records.map((r) => r.commitmentNumber)).toEqual([0, 1, 2]);
  });

  it('replaces a channel that is behind with a newer snapshot, then takes updates after it', async () => {
    await expectPersisted(await send(alice, watchSnapshotFrame(stateAt(fresh, 12))), fresh, 12);
    await expectPersisted(await send(alice, updateFrame(updateOf(fresh, 13))), fresh, 13);
  });

  it('refuses a snapshot whose record was not revoked by the secret it claims: MALFORMED', async () => {
    const bogus = {
      ...fixture.counterpartyCommitment(1, balancesOf(1)),
      perCommitmentPoint: nodeIdOf(keys.bob),
    };
    await expectInvalid(
      watchSnapshotFrame(stateAt(fresh, 15), [bogus]),
      'MALFORMED',
      /^watchChannel\.counterpartyCommitments\[0\]\./,
    );
  });

  it("refuses a newer snapshot of another channel's identity: CONFLICT", async () => {
    const snapshot = {
      ...stateAt(fresh, 15),
      destinationScript: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20)),
    };
    await expectInvalid(
      watchSnapshotFrame(snapshot),
      'CONFLICT',
      /^watchChannel\.snapshot\.destinationScript: /,
    );
  });

  it('refuses a snapshot older than the stored state that was not persisted as such: CONFLICT', async () => {
    await expectInvalid(
      watchSnapshotFrame(stateAt(fresh, 13)),
      'CONFLICT',
      /update 13 was persisted with different bytes/,
    );
  });
});

describe('lockdown', () => {
  it('stores updates after lockdown and answers them REJECTED_AFTER_LOCKDOWN with a receipt', async () => {
    const locked = channelIdOf(3);
    await send(alice, watchInitFrame(initOf(locked)));
    const close = {
      channelId: locked,
      updateId: 1,
      steps: [{ kind: 'channelForceClosed' as const, shouldBroadcast: true }],
    };
    await expectPersisted(await send(alice, updateFrame(close)), locked, 1);
    const late = {
      channelId: locked,
      updateId: 2,
      steps: [{ kind: 'shutdownScript' as const, script: Uint8Array.of(0x51) }],
    };
    const ack = await send(alice, updateFrame(late));
    expect([pb.UpdateStatus[ack.status], ack.detail]).toEqual([
      'REJECTED_AFTER_LOCKDOWN',
      'lockdown: the monitor signed the holder commitment for broadcast',
    ]);
    const fields = {
      nodeId: nodeIdOf(keys.alice),
      channelId: locked,
      updateId: 2n,
      stateHash: ack.stateHash,
    };
    expect(verifyReceipt(harness.monitor.monitorId, fields, ack.receipt)).toBe(true);
    const [row] = await harness.database.sql<{ payload: Uint8Array }[]>`
      SELECT payload FROM channel_update_log WHERE channel_id = ${locked} AND update_id = 2`;
    expect(toHex(row!.payload)).toBe(toHex(encodeChannelMonitorUpdate(late)));
  });
});

describe('logs', () => {
  it('carry tenant, channelId and updateId, and never a channel secret', () => {
    const lines = harness.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines.some((l) => l['tenant'] === toHex(nodeIdOf(keys.alice)) && l['channelId'] === toHex(channel)),
    ).toBe(true);
    expect(lines.some((l) => l['updateId'] === '5')).toBe(true);
    const all = harness.logs.join('\n');
    for (const secret of Object.values(fixture.holder)) expect(all).not.toContain(toHex(secret));
    expect(all).not.toContain(toHex(keys.alice));
  });
});
