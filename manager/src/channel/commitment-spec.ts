/**
 * What one commitment transaction pays, BOLT 2 "Normal Operation" and BOLT 3 "Commitment
 * Transaction": both balances, the feerate and the pending HTLCs, seen from the commitment's
 * broadcaster. After Eclair's `CommitmentSpec`, with `reduce` applying pending updates to give the
 * next commitment. The transaction itself is only ever built by `buildSideCommitment`
 * (@vigil/shared/ln/channel-parameters), from `specState`.
 *
 * Invariants of every spec `reduce` returns from a valid one:
 * - value is conserved: toBroadcasterMsat + toCountersignatoryMsat + the HTLC amounts never changes;
 * - an HTLC is identified by its direction and id, and appears at most once;
 * - an add takes its amount from its offerer's balance; a fulfill pays it to the receiver, a fail
 *   returns it to the offerer;
 * - the feerate is the last `update_fee` applied (only the funder sends them).
 * A balance may go negative here: `reduce` describes, the callers' checks decide (`affordability.ts`).
 */
import type { CommitmentState } from '@vigil/shared/ln/channel-parameters';
import type { UpdateAddHtlc } from '@vigil/shared/ln/wire/index';
import { isHtlcRemoval, type UpdateMessage } from './changes.js';

export interface SpecHtlc {
  /** True when the broadcaster of this commitment offered the HTLC. */
  readonly offered: boolean;
  readonly add: UpdateAddHtlc;
}

export interface CommitmentSpec {
  readonly feeratePerKw: number;
  readonly toBroadcasterMsat: bigint;
  readonly toCountersignatoryMsat: bigint;
  readonly htlcs: readonly SpecHtlc[];
}

/**
 * The spec after applying the broadcaster's and the countersignatory's updates: adds first (so a
 * removal in the same batch finds its HTLC), then removals, then the fee (Eclair's order; both
 * peers must use the same one).
 */
export function reduce(
  spec: CommitmentSpec,
  broadcasterUpdates: readonly UpdateMessage[],
  countersignatoryUpdates: readonly UpdateMessage[],
): CommitmentSpec {
  let next = spec;
  for (const u of broadcasterUpdates) if (u.type === 'update_add_htlc') next = addHtlc(next, u, true);
  for (const u of countersignatoryUpdates) if (u.type === 'update_add_htlc') next = addHtlc(next, u, false);
  // A node removes only HTLCs the other side offered.
  for (const u of broadcasterUpdates)
    if (isHtlcRemoval(u)) next = removeHtlc(next, u.id, false, isFulfill(u));
  for (const u of countersignatoryUpdates)
    if (isHtlcRemoval(u)) next = removeHtlc(next, u.id, true, isFulfill(u));
  for (const u of [...broadcasterUpdates, ...countersignatoryUpdates]) {
    if (u.type === 'update_fee') next = { ...next, feeratePerKw: u.feeratePerKw };
  }
  return next;
}

function isFulfill(u: UpdateMessage): boolean {
  return u.type === 'update_fulfill_htlc';
}

function addHtlc(spec: CommitmentSpec, add: UpdateAddHtlc, offered: boolean): CommitmentSpec {
  return {
    ...spec,
    toBroadcasterMsat: spec.toBroadcasterMsat - (offered ? add.amountMsat : 0n),
    toCountersignatoryMsat: spec.toCountersignatoryMsat - (offered ? 0n : add.amountMsat),
    htlcs: [...spec.htlcs, { offered, add }],
  };
}

/** Removes the HTLC `id` offered by the broadcaster (`offered`) or to it, paying whom it is due. */
function removeHtlc(spec: CommitmentSpec, id: bigint, offered: boolean, fulfilled: boolean): CommitmentSpec {
  const htlc = findHtlc(spec, offered, id);
  // Callers check every removal against the commitments first: a miss here is a bug, not the peer's.
  if (htlc === undefined) throw new Error(`reduce: no ${offered ? 'offered' : 'received'} HTLC ${id}`);
  // A fulfilled HTLC goes to its receiver, a failed one back to its offerer.
  const toBroadcaster = offered !== fulfilled;
  return {
    ...spec,
    toBroadcasterMsat: spec.toBroadcasterMsat + (toBroadcaster ? htlc.add.amountMsat : 0n),
    toCountersignatoryMsat: spec.toCountersignatoryMsat + (toBroadcaster ? 0n : htlc.add.amountMsat),
    htlcs: spec.htlcs.filter((h) => h !== htlc),
  };
}

export function findHtlc(spec: CommitmentSpec, offered: boolean, id: bigint): SpecHtlc | undefined {
  return spec.htlcs.find((h) => h.offered === offered && h.add.id === id);
}

/** The spec as `buildSideCommitment` takes it, for commitment `commitmentNumber` at `point`. */
export function specState(
  spec: CommitmentSpec,
  commitmentNumber: number,
  perCommitmentPoint: Uint8Array,
): CommitmentState {
  return {
    commitmentNumber,
    perCommitmentPoint,
    feeratePerKw: spec.feeratePerKw,
    toBroadcasterMsat: spec.toBroadcasterMsat,
    toCountersignatoryMsat: spec.toCountersignatoryMsat,
    htlcs: spec.htlcs.map(({ offered, add }) => ({
      offered,
      amountMsat: add.amountMsat,
      paymentHash: add.paymentHash,
      cltvExpiry: add.cltvExpiry,
    })),
  };
}

/** The same commitment described from the other side (its balances and directions swapped). */
export function mirrorSpec(spec: CommitmentSpec): CommitmentSpec {
  return {
    feeratePerKw: spec.feeratePerKw,
    toBroadcasterMsat: spec.toCountersignatoryMsat,
    toCountersignatoryMsat: spec.toBroadcasterMsat,
    htlcs: spec.htlcs.map((h) => ({ offered: !h.offered, add: h.add })),
  };
}
