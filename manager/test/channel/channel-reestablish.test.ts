/**
 * BOLT 2 "Message Retransmission": after a reconnection each side sends `channel_reestablish`,
 * retransmits what the other missed in the original order, forgets uncommitted updates, and fails
 * the channel when the peer lost state or proves that we did.
 */
import { describe, expect, it } from 'vitest';
import { generateFromSeed } from '@vigil/shared/ln/shachain';
import type { ChannelReestablish, WireMessage } from '@vigil/shared/ln/wire/index';
import { secretIndexOfCommitment } from '@vigil/shared/monitor-model/commitment-checks';
import {
  ChannelPair,
  errorText,
  expectFailed,
  ONION,
  payment,
  type Peer,
  secretsFor,
} from '@vigil/test/fixtures/channel-pair';

function offer(peer: Peer, n: number): void {
  const { paymentHash } = payment(n);
  peer.take(
    peer.channel.addHtlc({
      amountMsat: 20_000_000n,
      paymentHash,
      cltvExpiry: 800_000,
      onionRoutingPacket: ONION,
      ref: `${n}`,
    }),
  );
}

function types(peer: Peer): WireMessage['type'][] {
  return peer.outbox.map((m) => m.type);
}

/** Both sides agree, nothing is pending, and the channel still carries a payment. */
function expectHealthy(pair: ChannelPair): void {
  pair.deliverAll();
  for (const peer of [pair.a, pair.b]) expect(peer.channel.phase).toBe('normal');
  pair.expectAgreement();
  const before = pair.b.channel.commitments!.localCommit.spec.htlcs.length;
  pair.addCommitted(pair.a, 5_000_000n, 99);
  expect(pair.b.channel.commitments!.localCommit.spec.htlcs).toHaveLength(before + 1);
  pair.expectAgreement();
}

describe('channel_reestablish', () => {
  it('resumes a channel with nothing in flight', () => {
    const pair = ChannelPair.open();
    pair.addCommitted(pair.a, 20_000_000n, 1);
    pair.reconnect();
    expect(types(pair.a)).toEqual(['channel_reestablish']);
    expect(types(pair.b)).toEqual(['channel_reestablish']);
    pair.deliverAll();
    expect(types(pair.a)).toEqual([]);
    expectHealthy(pair);
  });

  it('retransmits a commitment_signed the peer never received, with its updates', () => {
    const pair = ChannelPair.open();
    offer(pair.a, 1);
    pair.a.take(pair.a.channel.commit());
    pair.reconnect();
    pair.deliver(pair.b);
    // Neither side holds a commitment past number 0 yet, so channel_ready is sent again too (BOLT 2).
    expect(types(pair.a)).toEqual([
      'channel_reestablish',
      'channel_ready',
      'update_add_htlc',
      'commitment_signed',
    ]);
    expectHealthy(pair);
  });

  it('retransmits a lost revoke_and_ack, then the commitment_signed sent after it', () => {
    const pair = ChannelPair.open();
    offer(pair.a, 1);
    pair.a.take(pair.a.channel.commit());
    pair.deliver(pair.a);
    expect(types(pair.b)).toEqual(['revoke_and_ack', 'commitment_signed']);
    pair.reconnect();
    pair.deliver(pair.a);
    expect(types(pair.b)).toEqual(['channel_reestablish', 'revoke_and_ack', 'commitment_signed']);
    expectHealthy(pair);
  });

  it('retransmits commitment_signed before revoke_and_ack when it was sent first', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    offer(b, 1);
    b.take(b.channel.commit());
    offer(a, 2);
    a.take(a.channel.commit());
    pair.deliver(a);
    // B signed first, then revoked on A's commitment_signed.
    expect(types(b)).toEqual(['update_add_htlc', 'commitment_signed', 'revoke_and_ack']);
    pair.reconnect();
    pair.deliver(a);
    expect(types(b)).toEqual([
      'channel_reestablish',
      'update_add_htlc',
      'commitment_signed',
      'revoke_and_ack',
    ]);
    expectHealthy(pair);
  });

  it('forgets uncommitted updates on both sides and sends ours again', () => {
    const pair = ChannelPair.open();
    offer(pair.a, 1);
    pair.deliver(pair.a);
    expect(pair.b.channel.commitments!.remoteChanges.proposed).toHaveLength(1);
    pair.reconnect();
    expect(pair.b.channel.commitments!.remoteChanges.proposed).toHaveLength(0);
    expect(pair.a.channel.holdingCell).toHaveLength(1);
    pair.deliverAll();
    // Sent again, with the same id, and signed, once the channel is reestablished.
    expect(pair.a.channel.holdingCell).toHaveLength(0);
    expect(pair.b.channel.commitments!.localCommit.spec.htlcs.map((h) => h.add.id)).toEqual([0n]);
    expectHealthy(pair);
  });

  it('retransmits channel_ready when neither side signed past the first commitment', () => {
    const pair = ChannelPair.open({ untilFunded: true });
    pair.a.take(pair.a.channel.fundingDepthChanged(3));
    pair.b.take(pair.b.channel.fundingDepthChanged(3));
    pair.reconnect();
    pair.deliverAll();
    expect(pair.a.channel.phase).toBe('normal');
    expect(pair.b.channel.phase).toBe('normal');
    expectHealthy(pair);
  });

  it('fails the channel on a message before channel_reestablish', () => {
    const pair = ChannelPair.open();
    pair.reconnect();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({
        type: 'update_fee',
        channelId: pair.a.channel.channelId,
        feeratePerKw: 2000,
      }),
      /update_fee: sent before channel_reestablish/,
    );
  });
});

describe('channel_reestablish receiving requirements', () => {
  /** Reconnected with one payment committed; returns A's reestablish, undelivered. */
  function reconnected() {
    const pair = ChannelPair.open();
    pair.addCommitted(pair.a, 20_000_000n, 1);
    pair.addCommitted(pair.a, 20_000_000n, 2);
    pair.reconnect();
    return { pair, theirs: pair.a.outbox.shift() as ChannelReestablish };
  }

  it('refuses to broadcast when the peer proves we lost state', () => {
    const { pair, theirs } = reconnected();
    const ours = pair.b.channel.commitments!.localCommit.index;
    // Only someone who saw B revoke commitment `ours + 1` knows its secret.
    const secret = generateFromSeed(secretsFor(0x22).commitmentSeed, secretIndexOfCommitment(ours + 1));
    const outputs = pair.b.channel.handleMessage({
      ...theirs,
      nextRevocationNumber: BigInt(ours + 2),
      yourLastPerCommitmentSecret: secret,
    });
    expect(errorText(outputs)).toMatch(
      /next_revocation_number: the peer proves we revoked commitment 3, but our latest is 2/,
    );
    expect(pair.b.channel.phase).toBe('closed');
    expect(pair.b.watch.updates.at(-1)?.steps).toEqual([
      { kind: 'channelForceClosed', shouldBroadcast: false },
    ]);
    expect(outputs.some((o) => o.kind === 'broadcast')).toBe(false);
  });

  it('fails on revocations claimed beyond our commitment without proof', () => {
    const { pair, theirs } = reconnected();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...theirs, nextRevocationNumber: 9n }),
      /next_revocation_number: 9 claims revocations beyond our commitment/,
    );
  });

  it('fails when the peer lost our revocations', () => {
    const { pair, theirs } = reconnected();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({
        ...theirs,
        nextRevocationNumber: 0n,
        yourLastPerCommitmentSecret: new Uint8Array(32),
      }),
      /next_revocation_number: 0 is behind our last revocation .*: the peer lost state/,
    );
  });

  it('fails on a your_last_per_commitment_secret that is not ours', () => {
    const { pair, theirs } = reconnected();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...theirs, yourLastPerCommitmentSecret: new Uint8Array(32).fill(5) }),
      /your_last_per_commitment_secret: is not the secret of our commitment 1/,
    );
  });

  it('fails on a next_commitment_number that does not follow our last signature', () => {
    const { pair, theirs } = reconnected();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...theirs, nextCommitmentNumber: 7n }),
      /next_commitment_number: 7 does not follow our last signed commitment 2/,
    );
  });
});
