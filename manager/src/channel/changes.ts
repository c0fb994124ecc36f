/**
 * Where each update stands between the two commitments, BOLT 2 "Normal Operation": an update is
 * first pending on the receiver, then in the receiver's commitment, then (once the receiver revokes
 * its previous one) pending on the sender, then in the sender's commitment. After Eclair's
 * `LocalChanges` / `RemoteChanges`.
 *
 * Our updates (`LocalChanges`): `proposed` (sent, not yet signed) -> `signed` (in a
 * `commitment_signed` we sent) -> `acked` (they revoked; now due in our next commitment).
 * Their updates (`RemoteChanges`): `proposed` (received) -> `acked` (in our commitment, we revoked;
 * now due in theirs) -> `signed` (in a `commitment_signed` we sent, awaiting their revocation).
 *
 * Invariants: each list keeps the order the updates were sent in (the peer applies them in that
 * order); an update is in exactly one list of its side; `localChanges.signed` and
 * `remoteChanges.signed` are non-empty only while we wait for a `revoke_and_ack`.
 */
import type {
  UpdateAddHtlc,
  UpdateFailHtlc,
  UpdateFailMalformedHtlc,
  UpdateFee,
  UpdateFulfillHtlc,
} from '@vigil/shared/ln/wire/index';

/** The messages that change a commitment (BOLT 2: those beginning with `update_`). */
export type UpdateMessage =
  UpdateAddHtlc | UpdateFulfillHtlc | UpdateFailHtlc | UpdateFailMalformedHtlc | UpdateFee;

/** An update that removes an HTLC the other side offered. */
export type HtlcRemoval = UpdateFulfillHtlc | UpdateFailHtlc | UpdateFailMalformedHtlc;

export interface LocalChanges {
  readonly proposed: readonly UpdateMessage[];
  readonly signed: readonly UpdateMessage[];
  readonly acked: readonly UpdateMessage[];
}

export interface RemoteChanges {
  readonly proposed: readonly UpdateMessage[];
  readonly acked: readonly UpdateMessage[];
  readonly signed: readonly UpdateMessage[];
}

export const NO_LOCAL_CHANGES: LocalChanges = { proposed: [], signed: [], acked: [] };
export const NO_REMOTE_CHANGES: RemoteChanges = { proposed: [], acked: [], signed: [] };

export function isHtlcRemoval(update: UpdateMessage): update is HtlcRemoval {
  return (
    update.type === 'update_fulfill_htlc' ||
    update.type === 'update_fail_htlc' ||
    update.type === 'update_fail_malformed_htlc'
  );
}

export function addsIn(updates: readonly UpdateMessage[]): UpdateAddHtlc[] {
  return updates.filter((u): u is UpdateAddHtlc => u.type === 'update_add_htlc');
}

/** True when `updates` already remove HTLC `id` (each HTLC may be removed once). */
export function removesHtlc(updates: readonly UpdateMessage[], id: bigint): boolean {
  return updates.some((u) => isHtlcRemoval(u) && u.id === id);
}
