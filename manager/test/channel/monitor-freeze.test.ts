/**
 * The freeze (DESIGN.md "The monitor protocol", rule 4; LDK's `InProgress`): while a monitor update
 * is in progress, what depends on it is held back, and released in order once it and every update
 * before it completed, whatever order the completions arrive in.
 */
import { describe, expect, it } from 'vitest';
import type { WireMessage } from '@vigil/shared/ln/wire/index';
import type { ChannelOutput } from '../../src/channel/index.js';
import type { Peer } from '@vigil/test/fixtures/channel-pair';
import { ChannelPair, ONION, payment } from '@vigil/test/fixtures/channel-pair';

function sent(outputs: readonly ChannelOutput[]): WireMessage['type'][] {
  return outputs.flatMap((o) => (o.kind === 'send' ? [o.message.type] : []));
}

function kinds(outputs: readonly ChannelOutput[]): string[] {
  return outputs.map((o) => (o.kind === 'send' ? o.message.type : o.kind));
}

describe('the initial watch', () => {
  it('holds funding_signed and channel_ready until the accepter’s monitor is durable', () => {
    const pair = ChannelPair.upToFundingCreated();
    const { a, b } = pair;
    b.watch.status = 'inProgress';
    const onCreated = b.channel.handleMessage(a.outbox.shift()!);
    const onDepth = b.channel.fundingDepthChanged(3);
    expect(sent(onCreated)).toEqual([]);
    expect(sent(onDepth)).toEqual([]);
    expect(b.watch.inProgress).toEqual([0]);
    expect(kinds(b.channel.monitorUpdateCompleted(0))).toEqual([
      'watchFunding',
      'funding_signed',
      'channel_ready',
    ]);
  });

  it('holds the funding broadcast until the opener’s monitor is durable', () => {
    const pair = ChannelPair.upToFundingCreated();
    const { a, b } = pair;
    pair.deliver(a);
    a.watch.status = 'inProgress';
    const onSigned = a.channel.handleMessage(b.outbox.shift()!);
    expect(onSigned.some((o) => o.kind === 'broadcast')).toBe(false);
    const released = a.channel.monitorUpdateCompleted(0);
    expect(released.find((o) => o.kind === 'broadcast')).toMatchObject({ purpose: 'funding' });
  });
});

describe('normal operation', () => {
  function addFrom(peer: Peer, n: number): ChannelOutput[] {
    const { paymentHash } = payment(n);
    return peer.take(
      peer.channel.addHtlc({
        amountMsat: 20_000_000n,
        paymentHash,
        cltvExpiry: 800_000,
        onionRoutingPacket: ONION,
        ref: `${n}`,
      }),
    );
  }

  it('holds commitment_signed until latestCounterpartyCommitment is durable', () => {
    const { a } = ChannelPair.open();
    addFrom(a, 1);
    a.watch.status = 'inProgress';
    const outputs = a.channel.commit();
    expect(a.watch.updates.at(-1)?.steps[0]?.kind).toBe('latestCounterpartyCommitment');
    expect(sent(outputs)).toEqual([]);
    expect(sent(a.channel.monitorUpdateCompleted(a.watch.inProgress[0]!))).toEqual(['commitment_signed']);
  });

  it('holds revoke_and_ack until latestHolderCommitment is durable, and what follows it too', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    addFrom(a, 1);
    a.take(a.channel.commit());
    b.take(b.channel.handleMessage(a.outbox.shift()!));
    b.watch.status = 'inProgress';
    // B adopts its commitment 1 (update k) and signs A's next (update k + 1): both in progress.
    const outputs = b.channel.handleMessage(a.outbox.shift()!);
    expect(sent(outputs)).toEqual([]);
    const [holder, counterparty] = b.watch.inProgress;
    expect(b.watch.updates.map((u) => u.steps[0]?.kind).slice(-2)).toEqual([
      'latestHolderCommitment',
      'latestCounterpartyCommitment',
    ]);
    // Out of order: the later update alone releases nothing.
    expect(sent(b.channel.monitorUpdateCompleted(counterparty!))).toEqual([]);
    expect(sent(b.channel.monitorUpdateCompleted(holder!))).toEqual(['revoke_and_ack', 'commitment_signed']);
  });

  it('releases the revoke_and_ack before the commitment_signed that waits for a later update', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    addFrom(a, 1);
    a.take(a.channel.commit());
    b.take(b.channel.handleMessage(a.outbox.shift()!));
    b.watch.status = 'inProgress';
    b.channel.handleMessage(a.outbox.shift()!);
    const [holder] = b.watch.inProgress;
    expect(sent(b.channel.monitorUpdateCompleted(holder!))).toEqual(['revoke_and_ack']);
  });

  it('holds update_fulfill_htlc until the paymentPreimage is durable', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    const id = pair.addCommitted(a, 20_000_000n, 1);
    b.watch.status = 'inProgress';
    const outputs = b.channel.fulfillHtlc(id, payment(1).preimage);
    expect(b.watch.updates.at(-1)?.steps).toEqual([
      { kind: 'paymentPreimage', preimage: payment(1).preimage },
    ]);
    expect(sent(outputs)).toEqual([]);
    expect(sent(b.channel.monitorUpdateCompleted(b.watch.inProgress[0]!))).toEqual(['update_fulfill_htlc']);
  });

  it('holds the news of a committed incoming HTLC until the revocation is durable', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    addFrom(a, 1);
    a.take(a.channel.commit());
    pair.deliver(a);
    pair.deliver(b);
    b.watch.status = 'inProgress';
    // A's revocation makes the HTLC irrevocable for B.
    const outputs = b.channel.handleMessage(a.outbox.find((m) => m.type === 'revoke_and_ack')!);
    expect(b.watch.updates.at(-1)?.steps[0]?.kind).toBe('commitmentSecret');
    expect(outputs.some((o) => o.kind === 'incomingHtlcCommitted')).toBe(false);
    const released = b.channel.monitorUpdateCompleted(b.watch.inProgress[0]!);
    expect(released.some((o) => o.kind === 'incomingHtlcCommitted')).toBe(true);
  });

  it('keeps messages for the peer in order behind a held one', () => {
    const { a } = ChannelPair.open();
    addFrom(a, 1);
    a.watch.status = 'inProgress';
    a.channel.commit();
    a.watch.status = 'completed';
    // Waiting for a revocation: the next add goes to the holding cell, not around the held CS.
    expect(sent(addFrom(a, 2))).toEqual([]);
    expect(a.channel.holdingCell).toHaveLength(1);
    expect(sent(a.channel.monitorUpdateCompleted(a.watch.inProgress[0]!))).toEqual(['commitment_signed']);
  });

  it('refuses a completion for an update never emitted', () => {
    const { a } = ChannelPair.open();
    expect(() => a.channel.monitorUpdateCompleted(a.channel.latestUpdateId + 1)).toThrow(/updateId/);
  });

  it('ignores a repeated completion', () => {
    const { a } = ChannelPair.open();
    expect(a.channel.monitorUpdateCompleted(0)).toEqual([]);
  });
});
