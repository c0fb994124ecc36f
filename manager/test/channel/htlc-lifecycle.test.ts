/**
 * An HTLC's life as the caller sees it (BOLT 2 "Forwarding HTLCs", "Normal Operation"): committed
 * incoming HTLCs, outcomes of outgoing ones reported by `ref`, and the holding cell that keeps our
 * updates while a `revoke_and_ack` is awaited.
 */
import { describe, expect, it } from 'vitest';
import { CommandRefused } from '../../src/channel/index.js';
import { ChannelPair, ONION, payment, type Peer } from '@vigil/test/fixtures/channel-pair';

function offer(peer: Peer, n: number, amountMsat = 20_000_000n): void {
  const { paymentHash } = payment(n);
  peer.take(
    peer.channel.addHtlc({
      amountMsat,
      paymentHash,
      cltvExpiry: 800_000,
      onionRoutingPacket: ONION,
      ref: `p${n}`,
    }),
  );
}

describe('HTLC outcomes', () => {
  it('reports an incoming HTLC once irrevocably committed, and a fulfilment at once', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    offer(a, 1);
    a.take(a.channel.commit());
    pair.deliver(a);
    pair.deliver(b);
    // B holds the HTLC but A has not revoked its commitment without it: not yet irrevocable.
    expect(b.outputs.some((o) => o.kind === 'incomingHtlcCommitted')).toBe(false);
    pair.deliverAll();
    const committed = b.outputs.find((o) => o.kind === 'incomingHtlcCommitted');
    expect(committed?.kind === 'incomingHtlcCommitted' && committed.htlc.id).toBe(0n);
    b.take(b.channel.fulfillHtlc(0n, payment(1).preimage));
    pair.deliver(b);
    expect(a.outputs.at(-1)).toEqual({
      kind: 'outgoingHtlcFulfilled',
      ref: 'p1',
      htlcId: 0n,
      paymentPreimage: payment(1).preimage,
    });
  });

  it('reports a failure only once its removal is irrevocably committed', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    const id = pair.addCommitted(a, 20_000_000n, 1);
    b.take(b.channel.failHtlc(id, Uint8Array.of(9)));
    b.take(b.channel.commit());
    pair.deliver(b);
    pair.deliver(a);
    expect(a.outputs.some((o) => o.kind === 'outgoingHtlcFailed')).toBe(false);
    pair.deliverAll();
    expect(a.outputs.find((o) => o.kind === 'outgoingHtlcFailed')).toMatchObject({
      ref: '1',
      htlcId: id,
      failure: { kind: 'remote', message: { type: 'update_fail_htlc', reason: Uint8Array.of(9) } },
    });
  });

  it('refuses to claim an HTLC twice or with the wrong preimage', () => {
    const pair = ChannelPair.open();
    const id = pair.addCommitted(pair.a, 20_000_000n, 1);
    expect(() => pair.b.channel.fulfillHtlc(id, payment(2).preimage)).toThrow(/does not hash/);
    pair.b.take(pair.b.channel.fulfillHtlc(id, payment(1).preimage));
    expect(() => pair.b.channel.failHtlc(id, new Uint8Array(0))).toThrow(/already being removed/);
  });
});

describe('the holding cell', () => {
  it('keeps our updates while a revocation is awaited, then sends them with a commitment_signed', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    offer(a, 1);
    a.take(a.channel.commit());
    offer(a, 2);
    a.take(a.channel.updateFee(1500));
    expect(a.channel.holdingCell.map((h) => h.kind)).toEqual(['add', 'fee']);
    expect(a.outbox.map((m) => m.type)).toEqual(['update_add_htlc', 'commitment_signed']);
    pair.deliver(a);
    pair.deliver(b);
    expect(a.channel.holdingCell).toEqual([]);
    // B's revocation frees the cell (with a new signature); B's signature then gets our revocation.
    expect(a.outbox.map((m) => m.type)).toEqual([
      'update_add_htlc',
      'update_fee',
      'commitment_signed',
      'revoke_and_ack',
    ]);
    pair.deliverAll();
    expect(b.channel.commitments!.localCommit.spec.feeratePerKw).toBe(1500);
    expect(b.channel.commitments!.localCommit.spec.htlcs.map((h) => h.add.id)).toEqual([0n, 1n]);
    pair.expectAgreement();
  });

  it('fails back an add that no longer fits when freed, keeping ids consecutive', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    offer(a, 1);
    a.take(a.channel.commit());
    // Each fits A's ~590,000 sat alone; together they do not.
    offer(a, 2, 300_000_000n);
    offer(a, 3, 300_000_000n);
    offer(a, 4);
    pair.deliverAll();
    expect(a.outputs).toContainEqual({
      kind: 'outgoingHtlcFailed',
      ref: 'p3',
      htlcId: undefined,
      failure: {
        kind: 'local',
        problem: expect.stringMatching(/update_add_htlc.amount_msat: the sender's balance/),
      },
    });
    expect(b.channel.commitments!.localCommit.spec.htlcs.map((h) => h.add.id)).toEqual([0n, 1n, 2n]);
    pair.expectAgreement();
  });

  it('refuses commands the channel can never carry out', () => {
    const { a, b } = ChannelPair.open();
    expect(() => b.channel.updateFee(2000)).toThrow(CommandRefused);
    expect(() => a.channel.fulfillHtlc(0n, payment(1).preimage)).toThrow(/no HTLC 0 they offered/);
    const { paymentHash } = payment(1);
    expect(() =>
      a.channel.addHtlc({
        amountMsat: 0n,
        paymentHash,
        cltvExpiry: 800_000,
        onionRoutingPacket: ONION,
        ref: 'x',
      }),
    ).toThrow(/amount_msat: must not be 0/);
  });
});
