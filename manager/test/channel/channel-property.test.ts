/**
 * The property test of issue 4: two channels (opener A, accepter B, each with its own keys) driven
 * through random operations (adds both ways, fulfils, fails, fee updates by the funder, commits,
 * partial message delivery, monitor updates left in progress and completed out of order,
 * disconnections with `channel_reestablish`), checking after every step that both sides agree on
 * both commitments, that each side's broadcastable commitment and its HTLC transactions verify, and
 * that monitors rebuilt from the emitted records hold the channel's view.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '@vigil/shared/bytes';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { txid } from '@vigil/shared/bitcoin/tx';
import { CommandRefused } from '../../src/channel/index.js';
import { localHasChanges } from '../../src/channel/commitments.js';
import {
  expectBroadcastableCommitment,
  expectMonitorMatches,
  expectValueConserved,
} from './channel-checks.js';
import { ChannelPair, ONION, type Peer, payment } from '@vigil/test/fixtures/channel-pair';

/**
 * 12 runs of 200 operations (2,400 in all, ~300 commitments) take about 25 s: noble's signature
 * checks dominate (~3 ms each, and every commitment is verified by the receiver, its monitor and
 * this test).
 */
const RUNS = 12;
const OPS_PER_RUN = 200;
const SEED = 0x5eed_2024;

/** 1 sat and 600 sat HTLCs are trimmed on both commitments; the others get outputs. */
const AMOUNTS_MSAT = [1_000n, 600_000n, 2_000_000n, 15_000_000n, 60_000_000n];

type Side = 'a' | 'b';

type Op =
  | { kind: 'add'; side: Side; amountMsat: bigint; slow: boolean }
  | { kind: 'fulfill'; side: Side; pick: number; slow: boolean }
  | { kind: 'fail'; side: Side; pick: number; malformed: boolean }
  | { kind: 'fee'; feeratePerKw: number; slow: boolean }
  | { kind: 'commit'; side: Side; slow: boolean }
  | { kind: 'deliver'; side: Side; count: number; slow: boolean }
  | { kind: 'complete'; side: Side; pick: number }
  | { kind: 'completeAll'; side: Side }
  | { kind: 'reconnect' };

const side = fc.constantFrom<Side>('a', 'b');
/** One call in six leaves its monitor updates in progress. */
const slow = fc.integer({ min: 0, max: 5 }).map((n) => n === 0);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      side,
      amountMsat: fc.constantFrom(...AMOUNTS_MSAT),
      slow,
    }),
  },
  { weight: 9, arbitrary: fc.record({ kind: fc.constant('fulfill' as const), side, pick: fc.nat(), slow }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('fail' as const),
      side,
      pick: fc.nat(),
      malformed: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fee' as const),
      feeratePerKw: fc.integer({ min: 253, max: 4000 }),
      slow,
    }),
  },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('commit' as const), side, slow }) },
  {
    weight: 24,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      side,
      count: fc.integer({ min: 1, max: 6 }),
      slow,
    }),
  },
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('complete' as const), side, pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('completeAll' as const), side }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reconnect' as const) }) },
);

class Driver {
  readonly pair = ChannelPair.open({ fundingSat: 2_000_000n, pushMsat: 800_000_000n });
  readonly preimages = new Map<string, Uint8Array>();
  nextPayment = 0;
  refused = 0;

  peer(s: Side): Peer {
    return s === 'a' ? this.pair.a : this.pair.b;
  }

  /** Runs `action` with `peer`'s monitor updates completing at once or staying in progress. */
  withWatch(peer: Peer, isSlow: boolean, action: () => void): void {
    peer.watch.status = isSlow ? 'inProgress' : 'completed';
    try {
      action();
    } catch (e) {
      if (!(e instanceof CommandRefused)) throw e;
      this.refused++;
    } finally {
      peer.watch.status = 'completed';
    }
  }

  /**
   * An HTLC the other peer offered `peer`, chosen by `pick` among those on both commitments (the
   * ones it may remove; the channel refuses one it is already removing).
   */
  receivedHtlc(peer: Peer, pick: number) {
    const c = peer.channel.commitments!;
    const onTheirs = new Set(c.remoteCommit.spec.htlcs.filter((h) => h.offered).map((h) => h.add.id));
    const received = c.localCommit.spec.htlcs.filter((h) => !h.offered && onTheirs.has(h.add.id));
    return received.length === 0 ? undefined : received[pick % received.length]!.add;
  }

  apply(o: Op): void {
    switch (o.kind) {
      case 'add': {
        const peer = this.peer(o.side);
        const { preimage, paymentHash } = payment(this.nextPayment++);
        this.preimages.set(toHex(paymentHash), preimage);
        const htlc = {
          amountMsat: o.amountMsat,
          paymentHash,
          cltvExpiry: 700_000 + this.nextPayment,
          onionRoutingPacket: ONION,
        };
        return this.withWatch(peer, o.slow, () =>
          peer.take(peer.channel.addHtlc({ ...htlc, ref: `${peer.name}${this.nextPayment}` })),
        );
      }
      case 'fulfill': {
        const peer = this.peer(o.side);
        const htlc = this.receivedHtlc(peer, o.pick);
        if (htlc === undefined) return;
        const preimage = this.preimages.get(toHex(htlc.paymentHash))!;
        return this.withWatch(peer, o.slow, () => peer.take(peer.channel.fulfillHtlc(htlc.id, preimage)));
      }
      case 'fail': {
        const peer = this.peer(o.side);
        const htlc = this.receivedHtlc(peer, o.pick);
        if (htlc === undefined) return;
        return this.withWatch(peer, false, () =>
          peer.take(
            o.malformed
              ? peer.channel.failMalformedHtlc(htlc.id, sha256(ONION), 0x8000 | 5)
              : peer.channel.failHtlc(htlc.id, Uint8Array.of(1, 2, 3)),
          ),
        );
      }
      case 'fee': {
        const a = this.pair.a;
        return this.withWatch(a, o.slow, () => a.take(a.channel.updateFee(o.feeratePerKw)));
      }
      case 'commit': {
        const peer = this.peer(o.side);
        return this.withWatch(peer, o.slow, () => peer.take(peer.channel.commit()));
      }
      case 'deliver': {
        // From the side named, or from the other if it has nothing to send.
        const named = this.peer(o.side);
        const from = named.outbox.length > 0 ? named : this.pair.other(named);
        return this.withWatch(this.pair.other(from), o.slow, () => this.pair.deliver(from, o.count));
      }
      case 'complete': {
        const named = this.peer(o.side);
        const peer = named.watch.inProgress.length > 0 ? named : this.pair.other(named);
        const pending = peer.watch.inProgress;
        if (pending.length === 0) return;
        const [id] = pending.splice(o.pick % pending.length, 1);
        peer.take(peer.channel.monitorUpdateCompleted(id!));
        return;
      }
      case 'completeAll':
        return this.peer(o.side).completeAll();
      case 'reconnect': {
        for (const peer of [this.pair.a, this.pair.b]) {
          peer.take(peer.channel.peerDisconnected());
          peer.outbox.length = 0;
        }
        for (const peer of [this.pair.a, this.pair.b]) peer.take(peer.channel.peerConnected());
        return;
      }
    }
  }

  check(): void {
    for (const peer of [this.pair.a, this.pair.b]) {
      expect(peer.channel.phase, `${peer.name} failed: ${peer.sentErrors().join('; ')}`).toBe('normal');
      expectValueConserved(peer);
      expectBroadcastableCommitment(peer);
      expectMonitorMatches(peer);
    }
    this.pair.expectAgreement();
  }

  /** Completes every update, delivers everything and commits until both sides are in sync. */
  settle(): void {
    for (let round = 0; round < 20; round++) {
      for (const peer of [this.pair.a, this.pair.b]) peer.completeAll();
      this.pair.deliverAll();
      const pending = [this.pair.a, this.pair.b].filter(
        (peer) => localHasChanges(peer.channel.commitments!) || peer.channel.holdingCell.length > 0,
      );
      const idle =
        pending.length === 0 && [this.pair.a, this.pair.b].every((p) => p.watch.inProgress.length === 0);
      if (idle && this.pair.a.outbox.length === 0 && this.pair.b.outbox.length === 0) return;
      for (const peer of pending) peer.take(peer.channel.commit());
    }
    throw new Error('the channels did not settle');
  }

  /** Resolves every HTLC (fulfilling or failing it), then closes the channel cooperatively. */
  closeCooperatively(): void {
    for (const peer of [this.pair.a, this.pair.b]) {
      for (const { add } of peer.channel.commitments!.localCommit.spec.htlcs.filter((h) => !h.offered)) {
        const preimage = this.preimages.get(toHex(add.paymentHash))!;
        const resolve =
          add.id % 2n === 0n
            ? () => peer.channel.fulfillHtlc(add.id, preimage)
            : () => peer.channel.failHtlc(add.id, new Uint8Array(1));
        peer.take(resolve());
      }
      peer.take(peer.channel.commit());
    }
    this.settle();
    this.pair.a.take(this.pair.a.channel.shutdown());
    this.pair.deliverAll();
  }
}

describe('two channels driven through random operations', () => {
  it(`agree, verify and replay into monitors after every step (${RUNS} runs x ${OPS_PER_RUN} operations)`, () => {
    let operations = 0;
    let refused = 0;
    let commitments = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: OPS_PER_RUN, maxLength: OPS_PER_RUN }), (ops) => {
        const driver = new Driver();
        for (const o of ops) {
          driver.apply(o);
          driver.check();
        }
        driver.settle();
        driver.check();
        const { a, b } = driver.pair;
        // Settled: each side's commitment is the very one the other last signed, nothing pending.
        expect(toHex(a.channel.commitments!.localCommit.txid)).toBe(
          toHex(b.channel.commitments!.remoteCommit.txid),
        );
        expect(toHex(b.channel.commitments!.localCommit.txid)).toBe(
          toHex(a.channel.commitments!.remoteCommit.txid),
        );
        for (const peer of [a, b]) {
          expect(localHasChanges(peer.channel.commitments!)).toBe(false);
          expect(peer.channel.commitments!.remoteNext?.kind).toBe('nextPoint');
          commitments += peer.channel.commitments!.localCommit.index;
        }
        driver.closeCooperatively();
        const closings = [a, b].map((peer) =>
          peer.outputs.find((o) => o.kind === 'broadcast' && o.purpose === 'mutualClose'),
        );
        const txids = closings.map((o) => (o?.kind === 'broadcast' ? toHex(txid(o.tx)) : 'none'));
        expect(txids[0]).not.toBe('none');
        expect(txids[1]).toBe(txids[0]);
        operations += ops.length;
        refused += driver.refused;
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(operations).toBe(RUNS * OPS_PER_RUN);
    // The generator must mostly produce operations the channels accept, and move the commitments.
    expect(refused).toBeLessThan(operations / 10);
    expect(commitments).toBeGreaterThan(RUNS * 15);
  });
});
