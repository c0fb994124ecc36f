/**
 * Every BOLT 2 receiving requirement of normal operation ("Adding an HTLC", "Removing an HTLC",
 * "Committing Updates So Far", "Completing the Transition", "Updating Fees", "Closing Initiation"):
 * a message that breaks it fails the channel with an `error` naming the rule, a
 * `channelForceClosed` monitor update and our commitment to broadcast.
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import type {
  CommitmentSigned,
  RevokeAndAck,
  UpdateAddHtlc,
  UpdateFulfillHtlc,
  WireMessage,
} from '@vigil/shared/ln/wire/index';
import {
  CONFIG,
  ChannelPair,
  expectFailed,
  ONION,
  payment,
  type Peer,
} from '@vigil/test/fixtures/channel-pair';

/** An `update_add_htlc` from `from` as the peer would receive it, any field overridable. */
function add(from: Peer, fields: Partial<UpdateAddHtlc> = {}): UpdateAddHtlc {
  return {
    type: 'update_add_htlc',
    channelId: from.channel.channelId,
    id: from.channel.commitments!.localNextHtlcId,
    amountMsat: 10_000_000n,
    paymentHash: payment(1).paymentHash,
    cltvExpiry: 800_000,
    onionRoutingPacket: ONION,
    tlvs: {},
    ...fields,
  };
}

/** Takes the first message of `type` from `peer`'s outbox (the ones before it are dropped). */
function take<T extends WireMessage['type']>(peer: Peer, type: T): Extract<WireMessage, { type: T }> {
  const index = peer.outbox.findIndex((m) => m.type === type);
  if (index < 0) throw new Error(`${peer.name} sent no ${type}`);
  return peer.outbox.splice(0, index + 1)[index] as Extract<WireMessage, { type: T }>;
}

describe('update_add_htlc', () => {
  it('fails on amount_msat 0', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { amountMsat: 0n })),
      /update_add_htlc.amount_msat: must not be 0/,
    );
  });

  it('fails below our htlc_minimum_msat', () => {
    const { a, b } = ChannelPair.open({ accepterConfig: { ...CONFIG, htlcMinimumMsat: 5000n } });
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { amountMsat: 4999n })),
      /update_add_htlc.amount_msat: 4999 is below htlc_minimum_msat 5000/,
    );
  });

  it('fails when the funder cannot pay the fee and keep its reserve', () => {
    const { a, b } = ChannelPair.open();
    // A holds 600,000 sat less the fee; B requires a 10,000 sat reserve.
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { amountMsat: 590_000_000n })),
      /update_add_htlc.amount_msat: the sender's balance of .* msat cannot pay .* and keep its 10000 sat channel reserve/,
    );
  });

  it('fails when the fundee cannot keep its reserve', () => {
    const { a, b } = ChannelPair.open();
    // B holds 400,000 sat; A requires a 10,000 sat reserve (the funder pays the fee).
    expectFailed(
      a,
      a.channel.handleMessage(add(b, { amountMsat: 390_000_001n })),
      /update_add_htlc.amount_msat: the sender's balance of 9999999 msat cannot pay 0 msat .* 10000 sat channel reserve/,
    );
  });

  it('fails beyond our max_accepted_htlcs', () => {
    const { a, b } = ChannelPair.open({ accepterConfig: { ...CONFIG, maxAcceptedHtlcs: 2 } });
    b.take(b.channel.handleMessage(add(a, { id: 0n })));
    b.take(b.channel.handleMessage(add(a, { id: 1n })));
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { id: 2n })),
      /update_add_htlc: 3 HTLCs offered exceed max_accepted_htlcs 2/,
    );
  });

  it('fails beyond our max_htlc_value_in_flight_msat', () => {
    const { a, b } = ChannelPair.open({
      accepterConfig: { ...CONFIG, maxHtlcValueInFlightMsat: 100_000_000n },
    });
    b.take(b.channel.handleMessage(add(a, { id: 0n, amountMsat: 60_000_000n })));
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { id: 1n, amountMsat: 60_000_000n })),
      /update_add_htlc: 120000000 msat offered exceed max_htlc_value_in_flight_msat 100000000/,
    );
  });

  it('fails on a cltv_expiry that is a timestamp', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { cltvExpiry: 500_000_000 })),
      /update_add_htlc.cltv_expiry: 500000000 is a timestamp/,
    );
  });

  it('fails on an id that is not the previous one plus 1', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      b,
      b.channel.handleMessage(add(a, { id: 1n })),
      /update_add_htlc.id: expected 0 \(previous id \+ 1\), got 1/,
    );
  });

  it('fails on an HTLC added after the sender’s shutdown', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    pair.addCommitted(a, 10_000_000n, 1);
    a.take(a.channel.shutdown());
    pair.deliverAll();
    expectFailed(b, b.channel.handleMessage(add(a)), /update_add_htlc: sent after shutdown/);
  });

  it('fails on an HTLC before channel_ready', () => {
    const { a, b } = ChannelPair.open({ untilFunded: true });
    expectFailed(
      b,
      b.channel.handleMessage(add(a)),
      /update_add_htlc: unexpected while the channel is awaitingChannelReady/,
    );
  });
});

describe('HTLC removals', () => {
  const fulfill = (from: Peer, id: bigint, paymentPreimage: Uint8Array): UpdateFulfillHtlc => ({
    type: 'update_fulfill_htlc',
    channelId: from.channel.channelId,
    id,
    paymentPreimage,
  });

  it('fails on an update_fulfill_htlc for an unknown id', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      a,
      a.channel.handleMessage(fulfill(b, 5n, payment(1).preimage)),
      /update_fulfill_htlc.id: no HTLC 5 we offered is committed on both sides/,
    );
  });

  it('fails on an update_fulfill_htlc for an HTLC not yet committed on both sides', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    a.take(a.channel.addHtlc({ ...add(a), ref: 'r' }));
    a.take(a.channel.commit());
    pair.deliver(a);
    // B holds our HTLC on its commitment; A does not yet hold it on its own.
    expectFailed(
      a,
      a.channel.handleMessage(fulfill(b, 0n, payment(1).preimage)),
      /update_fulfill_htlc.id: no HTLC 0 we offered is committed on both sides/,
    );
  });

  it('fails on a payment_preimage that does not hash to the payment_hash', () => {
    const pair = ChannelPair.open();
    const id = pair.addCommitted(pair.a, 10_000_000n, 1);
    expectFailed(
      pair.a,
      pair.a.channel.handleMessage(fulfill(pair.b, id, payment(2).preimage)),
      /update_fulfill_htlc.payment_preimage: does not hash to the payment_hash of HTLC 0/,
    );
  });

  it('fails on a second removal of the same HTLC', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    const id = pair.addCommitted(a, 10_000_000n, 1);
    b.take(b.channel.fulfillHtlc(id, payment(1).preimage));
    a.take(a.channel.handleMessage(take(b, 'update_fulfill_htlc')));
    expectFailed(
      a,
      a.channel.handleMessage({
        type: 'update_fail_htlc',
        channelId: b.channel.channelId,
        id,
        reason: new Uint8Array(0),
      }),
      /update_fail_htlc.id: HTLC 0 is already being removed/,
    );
  });

  it('fails on an update_fail_htlc for an unknown id', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      a,
      a.channel.handleMessage({
        type: 'update_fail_htlc',
        channelId: b.channel.channelId,
        id: 0n,
        reason: new Uint8Array(0),
      }),
      /update_fail_htlc.id: no HTLC 0 we offered/,
    );
  });

  it('fails on an update_fail_malformed_htlc without the BADONION bit', () => {
    const pair = ChannelPair.open();
    const id = pair.addCommitted(pair.a, 10_000_000n, 1);
    expectFailed(
      pair.a,
      pair.a.channel.handleMessage({
        type: 'update_fail_malformed_htlc',
        channelId: pair.b.channel.channelId,
        id,
        sha256OfOnion: sha256(ONION),
        failureCode: 0x4005,
      }),
      /update_fail_malformed_htlc.failure_code: 0x4005 lacks the BADONION bit/,
    );
  });
});

describe('commitment_signed', () => {
  /** A's add and the commitment_signed covering it, not yet delivered. */
  function signedAdd(amountMsat = 10_000_000n) {
    const pair = ChannelPair.open();
    const { a } = pair;
    a.take(a.channel.addHtlc({ ...add(a, { amountMsat }), ref: 'r' }));
    a.take(a.channel.commit());
    const addMessage = take(a, 'update_add_htlc');
    const signed = take(a, 'commitment_signed');
    pair.b.take(pair.b.channel.handleMessage(addMessage));
    return { pair, signed };
  }

  it('fails on a commitment_signed without updates', () => {
    const { a, b } = ChannelPair.open();
    const empty: CommitmentSigned = {
      type: 'commitment_signed',
      channelId: a.channel.channelId,
      signature: new Uint8Array(64),
      htlcSignatures: [],
      tlvs: {},
    };
    expectFailed(b, b.channel.handleMessage(empty), /commitment_signed: signs no updates/);
  });

  it('fails on a signature that does not sign our next commitment', () => {
    const { pair, signed } = signedAdd();
    const other = Uint8Array.from(signed.signature);
    other[63] = other[63]! ^ 1;
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...signed, signature: other }),
      /commitment_signed.signature: is not a valid \(low-S\) signature of our commitment/,
    );
  });

  it('fails when num_htlcs is not the number of HTLC outputs', () => {
    const { pair, signed } = signedAdd();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...signed, htlcSignatures: [] }),
      /commitment_signed.num_htlcs: expected 1 \(one per HTLC output of our commitment\), got 0/,
    );
  });

  it('fails on an HTLC signature that does not sign its HTLC transaction', () => {
    const { pair, signed } = signedAdd();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...signed, htlcSignatures: [signed.signature] }),
      /commitment_signed.htlc_signature\[0\]: is not a valid/,
    );
  });
});

describe('revoke_and_ack', () => {
  it('fails on a revoke_and_ack no commitment_signed asked for', () => {
    const { a, b } = ChannelPair.open();
    const unasked: RevokeAndAck = {
      type: 'revoke_and_ack',
      channelId: b.channel.channelId,
      perCommitmentSecret: new Uint8Array(32).fill(1),
      nextPerCommitmentPoint: b.signer.perCommitmentPoint(2),
    };
    expectFailed(
      a,
      a.channel.handleMessage(unasked),
      /revoke_and_ack: no commitment_signed of ours awaits a revocation/,
    );
  });

  /** A signed B's commitment 1; B's revocation of commitment 0, not yet delivered. */
  function revocation() {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    a.take(a.channel.addHtlc({ ...add(a), ref: 'r' }));
    a.take(a.channel.commit());
    pair.deliver(a);
    return { pair, revoke: take(b, 'revoke_and_ack') };
  }

  it('fails on a per_commitment_secret that does not generate the previous point', () => {
    const { pair, revoke } = revocation();
    expectFailed(
      pair.a,
      pair.a.channel.handleMessage({ ...revoke, perCommitmentSecret: new Uint8Array(32).fill(7) }),
      /revoke_and_ack.per_commitment_secret: does not generate the per-commitment point of commitment 0/,
    );
  });

  it('fails on a per_commitment_secret that is not a valid key', () => {
    const { pair, revoke } = revocation();
    expectFailed(
      pair.a,
      pair.a.channel.handleMessage({ ...revoke, perCommitmentSecret: new Uint8Array(32) }),
      /revoke_and_ack.per_commitment_secret: does not generate/,
    );
  });

  it('fails on a next_per_commitment_point that is not a point', () => {
    const { pair, revoke } = revocation();
    expectFailed(
      pair.a,
      pair.a.channel.handleMessage({ ...revoke, nextPerCommitmentPoint: new Uint8Array(33).fill(4) }),
      /revoke_and_ack.next_per_commitment_point: expected a compressed public key/,
    );
  });
});

describe('update_fee', () => {
  const fee = (from: Peer, feeratePerKw: number): WireMessage => ({
    type: 'update_fee',
    channelId: from.channel.channelId,
    feeratePerKw,
  });

  it('fails on an update_fee from the non-funder', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(a, a.channel.handleMessage(fee(b, 2000)), /update_fee: sent by the non-funder/);
  });

  it('fails on a feerate too low for timely processing', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      b,
      b.channel.handleMessage(fee(a, 252)),
      /update_fee.feerate_per_kw: 252 is outside the reasonable range 253 to 50000/,
    );
  });

  it('fails on an unreasonably large feerate', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(b, b.channel.handleMessage(fee(a, 50_001)), /update_fee.feerate_per_kw: 50001 is outside/);
  });

  it('fails when the funder cannot pay the new fee and keep its reserve', () => {
    // A keeps 20,000 sat; at 20,000 sat/kw the fee is 14,480 sat and B wants a 10,000 sat reserve.
    const { a, b } = ChannelPair.open({ pushMsat: 980_000_000n });
    expectFailed(
      b,
      b.channel.handleMessage(fee(a, 20_000)),
      /update_fee.feerate_per_kw: the funder's balance of 20000000 msat cannot pay 14480000 msat .* 10000 sat channel reserve/,
    );
  });
});

describe('shutdown', () => {
  const shutdown = (from: Peer, scriptpubkey: Uint8Array): WireMessage => ({
    type: 'shutdown',
    channelId: from.channel.channelId,
    scriptpubkey,
  });

  it('fails on a scriptpubkey of no standard form', () => {
    const { a, b } = ChannelPair.open();
    expectFailed(
      b,
      b.channel.handleMessage(shutdown(a, Uint8Array.of(0x51, 0x20, ...new Uint8Array(32)))),
      /shutdown.scriptpubkey: is not P2PKH, P2SH, P2WPKH or P2WSH/,
    );
  });

  it('fails on a scriptpubkey other than the upfront_shutdown_script', () => {
    const upfront = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x99));
    const { a, b } = ChannelPair.open({ upfrontShutdownScript: upfront });
    expectFailed(
      b,
      b.channel.handleMessage(shutdown(a, a.deps.destinationScript)),
      /shutdown.scriptpubkey: differs from the peer’s upfront_shutdown_script/,
    );
  });

  it('fails on a shutdown sent with updates it has not signed', () => {
    const { a, b } = ChannelPair.open();
    b.take(b.channel.handleMessage(add(a)));
    expectFailed(
      b,
      b.channel.handleMessage(shutdown(a, a.deps.destinationScript)),
      /shutdown: sent with updates the peer has not signed/,
    );
  });
});

describe('error', () => {
  it('fails the channel on the peer’s error without answering it', () => {
    const { a, b } = ChannelPair.open();
    const outputs = b.channel.handleMessage({
      type: 'error',
      channelId: a.channel.channelId,
      data: new TextEncoder().encode('bye'),
    });
    expect(b.channel.phase).toBe('closed');
    expect(outputs.some((o) => o.kind === 'send')).toBe(false);
    expect(outputs.some((o) => o.kind === 'broadcast' && o.purpose === 'holderCommitment')).toBe(true);
    expect(b.watch.updates.at(-1)?.steps).toEqual([{ kind: 'channelForceClosed', shouldBroadcast: true }]);
  });
});
