/**
 * BOLT 2 "Channel Close": `shutdown` (with its `shutdownScript` monitor update), draining HTLCs,
 * then `closing_signed` fee negotiation within both sides' `fee_range`, ending in one closing
 * transaction both sides signed.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '@vigil/shared/bytes';
import { verifySegwitV0Input } from '@vigil/shared/bitcoin/sign';
import { type Transaction, txid } from '@vigil/shared/bitcoin/tx';
import { sortedFundingPubkeys } from '@vigil/shared/ln/scripts';
import type { ClosingSigned } from '@vigil/shared/ln/wire/index';
import { CommandRefused, type ChannelOutput } from '../../src/channel/index.js';
import {
  ChannelPair,
  expectFailed,
  FEERATES,
  ONION,
  payment,
  type Peer,
} from '@vigil/test/fixtures/channel-pair';

function closingTx(outputs: readonly ChannelOutput[]): Transaction | undefined {
  for (const o of outputs) if (o.kind === 'broadcast' && o.purpose === 'mutualClose') return o.tx;
  return undefined;
}

/** Both funding signatures in the closing transaction's witness are valid. */
function expectFullySigned(peer: Peer, tx: Transaction): void {
  const params = peer.channel.commitments!.params;
  const [, first, second, script] = tx.inputs[0]!.witness;
  const spent = { scriptCode: script!, valueSat: params.fundingValueSat };
  const [k1, k2] = sortedFundingPubkeys(
    params.holderPubkeys.fundingPubkey,
    params.counterpartyPubkeys.fundingPubkey,
  );
  expect(verifySegwitV0Input(tx, 0, spent, first!, k1)).toBe(true);
  expect(verifySegwitV0Input(tx, 0, spent, second!, k2)).toBe(true);
}

/** Both sides closed mutually with the same, fully signed transaction paying both scripts. */
function expectClosedTogether(pair: ChannelPair): Transaction {
  const txA = closingTx(pair.a.outputs)!;
  const txB = closingTx(pair.b.outputs)!;
  expect(toHex(txid(txA))).toBe(toHex(txid(txB)));
  for (const peer of [pair.a, pair.b]) {
    expect(peer.channel.phase).toBe('closed');
    expect(peer.outputs.at(-1)).toEqual({ kind: 'closed', reason: { kind: 'mutualClose' } });
    expectFullySigned(peer, closingTx(peer.outputs)!);
  }
  const scripts = txA.outputs.map((o) => toHex(o.scriptPubKey)).sort();
  expect(scripts).toEqual(
    [toHex(pair.a.deps.destinationScript), toHex(pair.b.deps.destinationScript)].sort(),
  );
  return txA;
}

describe('mutual close', () => {
  it('closes an empty channel: shutdown both ways, then one closing_signed each', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    a.take(a.channel.shutdown());
    expect(a.watch.updates.at(-1)?.steps).toEqual([
      { kind: 'shutdownScript', script: a.deps.destinationScript },
    ]);
    pair.deliverAll();
    expect(b.watch.updates.at(-1)?.steps).toEqual([
      { kind: 'shutdownScript', script: b.deps.destinationScript },
    ]);
    const tx = expectClosedTogether(pair);
    expect(a.sent.filter((t) => t === 'closing_signed')).toHaveLength(1);
    expect(b.sent.filter((t) => t === 'closing_signed')).toHaveLength(1);
    // The funder paid the fee: B gets exactly its balance.
    const toB = tx.outputs.find((o) => toHex(o.scriptPubKey) === toHex(b.deps.destinationScript));
    expect(toB?.valueSat).toBe(400_000n);
  });

  it('waits for pending HTLCs to resolve, and refuses new ones meanwhile', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    const id = pair.addCommitted(a, 20_000_000n, 1);
    a.take(a.channel.shutdown());
    pair.deliverAll();
    expect(a.channel.phase).toBe('normal');
    const { paymentHash } = payment(2);
    expect(() =>
      b.channel.addHtlc({
        amountMsat: 1_000_000n,
        paymentHash,
        cltvExpiry: 800_000,
        onionRoutingPacket: ONION,
        ref: 'x',
      }),
    ).toThrow(CommandRefused);
    b.take(b.channel.fulfillHtlc(id, payment(1).preimage));
    b.take(b.channel.commit());
    pair.deliverAll();
    expectClosedTogether(pair);
  });

  it('meets in the overlap when the proposed fee is outside the other’s range', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    b.channel.updateFeerateEstimates({ ...FEERATES, minPerKw: 2000, closingPerKw: 2000 });
    a.take(a.channel.shutdown());
    pair.deliverAll();
    const tx = expectClosedTogether(pair);
    // A proposed, B countered inside both ranges, A agreed.
    expect(a.sent.filter((t) => t === 'closing_signed')).toHaveLength(2);
    expect(b.sent.filter((t) => t === 'closing_signed')).toHaveLength(1);
    // B accepts no less than 2000 sat/kw, capped at the final commitment's base fee (724 sat).
    const fee = 1_000_000n - tx.outputs.reduce((sum, o) => sum + o.valueSat, 0n);
    expect(fee).toBe(724n);
  });

  it('restarts the negotiation after a reconnection', () => {
    const pair = ChannelPair.open();
    const { a, b } = pair;
    a.take(a.channel.shutdown());
    pair.deliver(a);
    pair.deliver(b);
    expect(a.outbox.map((m) => m.type)).toEqual(['closing_signed']);
    pair.reconnect();
    pair.deliverAll();
    expectClosedTogether(pair);
  });

  it('refuses a shutdown script of no standard form', () => {
    const { a } = ChannelPair.open();
    expect(() => a.channel.shutdown(Uint8Array.of(0x6a))).toThrow(/shutdown.scriptpubkey: is not P2PKH/);
  });

  it('tells the monitors nothing new when the script was committed upfront', () => {
    const upfront = Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(0x99));
    const pair = ChannelPair.open({ upfrontShutdownScript: upfront });
    expect(pair.a.watch.init?.shutdownScript).toEqual(upfront);
    const before = pair.a.watch.updates.length;
    pair.a.take(pair.a.channel.shutdown());
    expect(pair.a.watch.updates).toHaveLength(before);
    pair.deliverAll();
    expect(closingTx(pair.a.outputs)?.outputs.some((o) => toHex(o.scriptPubKey) === toHex(upfront))).toBe(
      true,
    );
  });
});

describe('closing_signed receiving requirements', () => {
  /** Both shutdowns exchanged; A's first closing_signed, undelivered. */
  function negotiating(): { pair: ChannelPair; proposal: ClosingSigned } {
    const pair = ChannelPair.open();
    pair.a.take(pair.a.channel.shutdown());
    pair.deliver(pair.a);
    pair.deliver(pair.b);
    return { pair, proposal: pair.a.outbox.shift() as ClosingSigned };
  }

  it('fails on a fee above the final commitment’s base fee', () => {
    const { pair, proposal } = negotiating();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...proposal, feeSatoshis: 725n }),
      /closing_signed.fee_satoshis: 725 exceeds the base fee of the final commitment, 724/,
    );
  });

  it('fails on a signature of neither closing transaction variant', () => {
    const { pair, proposal } = negotiating();
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({ ...proposal, feeSatoshis: proposal.feeSatoshis + 1n }),
      /closing_signed.signature: is not a valid \(low-S\) signature of the closing transaction/,
    );
  });

  it('fails on a fee_range that does not overlap ours', () => {
    const { pair, proposal } = negotiating();
    pair.b.channel.updateFeerateEstimates({ ...FEERATES, maxPerKw: 300 });
    expectFailed(
      pair.b,
      pair.b.channel.handleMessage({
        ...proposal,
        tlvs: { feeRange: { minFeeSatoshis: 600n, maxFeeSatoshis: 700n } },
      }),
      /closing_signed.fee_range: 600 to 700 does not overlap ours/,
    );
  });

  it('fails on a closing_signed before the shutdowns', () => {
    const { pair, proposal } = negotiating();
    const fresh = ChannelPair.open();
    expectFailed(
      fresh.b,
      fresh.b.channel.handleMessage({ ...proposal, channelId: fresh.a.channel.channelId }),
      /closing_signed: unexpected while the channel is normal/,
    );
    expect(pair.b.channel.phase).toBe('negotiatingClose');
  });
});
