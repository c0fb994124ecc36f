/**
 * Both sides' commitments of an open channel and the updates between them, BOLT 2 "Normal
 * Operation" (`commitment_signed` / `revoke_and_ack`). After Eclair's `Commitments`.
 *
 * Invariants:
 * - `localCommit` is our latest commitment, signed by the peer; every earlier one is revoked.
 * - `remoteCommit` is the peer's latest commitment whose predecessor it has revoked. While we wait
 *   for its `revoke_and_ack`, `remoteNext.nextCommit` is the one we signed after it (number + 1):
 *   the peer may broadcast either, and we never sign a third.
 * - `localCommit.spec` + `localChanges.acked` + `remoteChanges.proposed` is our next commitment;
 *   the latest remote commitment + `remoteChanges.acked` + `localChanges.proposed` is theirs.
 * - HTLC ids: ours count up from 0 in `localNextHtlcId`, theirs in `remoteNextHtlcId`.
 * Values are immutable: every operation returns new commitments, so a message that fails a check
 * half-way leaves the channel as it was.
 */
import type { ChannelParameters } from '@vigil/shared/ln/channel-parameters';
import type { ShachainStore } from '@vigil/shared/ln/shachain';
import { addsIn, type LocalChanges, type RemoteChanges, type UpdateMessage } from './changes.js';
import type { CommitmentSpec } from './commitment-spec.js';
import { reduce } from './commitment-spec.js';

/** What one side announced in `open_channel` / `accept_channel`: its demands on the other side. */
export interface ChannelLimits {
  /** The announcer's dust limit, for its own commitments. */
  readonly dustLimitSat: bigint;
  /** What the *other* side must keep as its balance. */
  readonly channelReserveSat: bigint;
  /** The smallest HTLC the announcer accepts. */
  readonly htlcMinimumMsat: bigint;
  /** The most HTLC value that may be offered to the announcer at once. */
  readonly maxHtlcValueInFlightMsat: bigint;
  /** The most HTLCs that may be offered to the announcer at once. */
  readonly maxAcceptedHtlcs: number;
  /** The delay on the *other* side's outputs. */
  readonly toSelfDelay: number;
}

/** Our commitment with the peer's signatures over it. */
export interface LocalCommit {
  readonly index: number;
  readonly spec: CommitmentSpec;
  /** Internal byte order. */
  readonly txid: Uint8Array;
  readonly counterpartySignature: Uint8Array;
  /** One per untrimmed HTLC, in output order. */
  readonly counterpartyHtlcSignatures: readonly Uint8Array[];
}

/** A commitment of the peer that we signed. `spec` is from the peer's side (it broadcasts it). */
export interface RemoteCommit {
  readonly index: number;
  readonly spec: CommitmentSpec;
  readonly txid: Uint8Array;
  readonly perCommitmentPoint: Uint8Array;
}

/** Either we signed the peer's next commitment and wait for its revocation, or we know its next point. */
export type RemoteNextCommitInfo =
  | {
      readonly kind: 'waitingForRevocation';
      readonly nextCommit: RemoteCommit;
      /** Our commitment number when we signed it: orders a retransmitted RAA and CS (reestablish). */
      readonly sentAfterLocalCommitIndex: number;
    }
  | { readonly kind: 'nextPoint'; readonly point: Uint8Array };

export interface Commitments {
  readonly channelId: Uint8Array;
  readonly params: ChannelParameters;
  readonly holderLimits: ChannelLimits;
  readonly counterpartyLimits: ChannelLimits;
  readonly localCommit: LocalCommit;
  readonly remoteCommit: RemoteCommit;
  /** Undefined until `channel_ready` gives the peer's point for commitment 1. */
  readonly remoteNext: RemoteNextCommitInfo | undefined;
  readonly localChanges: LocalChanges;
  readonly remoteChanges: RemoteChanges;
  readonly localNextHtlcId: bigint;
  readonly remoteNextHtlcId: bigint;
  /** The peer's revealed per-commitment secrets. */
  readonly counterpartySecrets: ShachainStore;
}

export function isWaitingForRevocation(c: Commitments): boolean {
  return c.remoteNext?.kind === 'waitingForRevocation';
}

/** The peer's latest commitment we signed, revoked predecessor or not. */
export function latestRemoteCommit(c: Commitments): RemoteCommit {
  return c.remoteNext?.kind === 'waitingForRevocation' ? c.remoteNext.nextCommit : c.remoteCommit;
}

/** The peer's commitments not yet revoked, oldest first (what it may broadcast). */
export function unrevokedRemoteCommits(c: Commitments): RemoteCommit[] {
  return c.remoteNext?.kind === 'waitingForRevocation'
    ? [c.remoteCommit, c.remoteNext.nextCommit]
    : [c.remoteCommit];
}

/** Our next commitment with every update received so far (what their next signature must cover). */
export function nextLocalSpec(c: Commitments): CommitmentSpec {
  return reduce(c.localCommit.spec, c.localChanges.acked, c.remoteChanges.proposed);
}

/** The peer's next commitment with every update we sent so far (what our next signature covers). */
export function nextRemoteSpec(c: Commitments): CommitmentSpec {
  return reduce(latestRemoteCommit(c).spec, c.remoteChanges.acked, c.localChanges.proposed);
}

/** BOLT 2: a `commitment_signed` we send must include updates the peer's commitment lacks. */
export function localHasChanges(c: Commitments): boolean {
  return c.remoteChanges.acked.length > 0 || c.localChanges.proposed.length > 0;
}

/** The peer's `commitment_signed` must include updates our commitment lacks. */
export function remoteHasChanges(c: Commitments): boolean {
  return c.localChanges.acked.length > 0 || c.remoteChanges.proposed.length > 0;
}

/** No HTLC on any commitment and nothing in flight: the state a mutual close needs. */
export function isQuiescentAndEmpty(c: Commitments): boolean {
  const changes = [c.localChanges, c.remoteChanges].flatMap((ch) => [ch.proposed, ch.signed, ch.acked]);
  return (
    !isWaitingForRevocation(c) &&
    changes.every((list) => list.length === 0) &&
    c.localCommit.spec.htlcs.length === 0 &&
    c.remoteCommit.spec.htlcs.length === 0
  );
}

/**
 * BOLT 2 "Message Retransmission": on disconnection both sides forget the updates for which no
 * `commitment_signed` was sent, ours (returned, to send again) and the peer's, with their ids.
 */
export function dropUncommittedUpdates(c: Commitments): {
  commitments: Commitments;
  ours: readonly UpdateMessage[];
} {
  const ours = c.localChanges.proposed;
  return {
    commitments: {
      ...c,
      localChanges: { ...c.localChanges, proposed: [] },
      remoteChanges: { ...c.remoteChanges, proposed: [] },
      localNextHtlcId: c.localNextHtlcId - BigInt(addsIn(ours).length),
      remoteNextHtlcId: c.remoteNextHtlcId - BigInt(addsIn(c.remoteChanges.proposed).length),
    },
    ours,
  };
}
