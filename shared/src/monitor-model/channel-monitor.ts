/**
 * The `ChannelMonitor`: everything a monitor needs to enforce one channel on-chain, after LDK's
 * `chain::channelmonitor::ChannelMonitor` (see DESIGN.md "The domain").
 *
 * Size invariant: the snapshot is bounded by protocol limits, never by the channel's history. It
 * holds the current and previous holder commitments, only the counterparty commitments not yet
 * revoked (at most two), the shachain (at most 49 secrets) and preimages still referenced by those
 * commitments. Every counterparty commitment is also emitted as a separate
 * `CounterpartyCommitment` record, which the store keeps outside the snapshot: justice against a
 * revoked commitment needs its HTLCs long after it left the snapshot.
 *
 * Values are immutable; `applyUpdate` returns a new monitor.
 */
import type { ChannelParameters, CommitmentState } from '../ln/channel-parameters.js';
import type { CommitmentHtlc } from '../ln/commitment.js';
import type { ShachainStore } from '../ln/shachain.js';

/** The holder's channel secrets (full mode). Never logged, never in an error message. */
export interface HolderChannelSecrets {
  readonly fundingKey: Uint8Array;
  readonly revocationBasepointSecret: Uint8Array;
  readonly paymentBasepointSecret: Uint8Array;
  readonly delayedPaymentBasepointSecret: Uint8Array;
  readonly htlcBasepointSecret: Uint8Array;
  /** Seed of the holder's per-commitment secrets (BOLT 3 generate_from_seed). */
  readonly commitmentSeed: Uint8Array;
}

/** An HTLC as a monitor keeps it: the commitment view plus the channel's id for it (BOLT 2 `id`). */
export interface MonitorHtlc extends CommitmentHtlc {
  readonly htlcId: bigint;
}

/**
 * A commitment of the holder, signed by the counterparty: enough to rebuild, sign and broadcast it
 * and its HTLC transactions. The per-commitment point is derived from the commitment seed.
 */
export interface HolderCommitment {
  readonly commitmentNumber: number;
  readonly feeratePerKw: number;
  readonly toHolderMsat: bigint;
  readonly toCounterpartyMsat: bigint;
  /** `offered` means offered by the holder. */
  readonly htlcs: readonly MonitorHtlc[];
  /** 64-byte compact signature of the counterparty's funding key over this commitment. */
  readonly counterpartySignature: Uint8Array;
  /** One 64-byte signature per untrimmed HTLC, in commitment output order. */
  readonly counterpartyHtlcSignatures: readonly Uint8Array[];
}

/** A commitment the counterparty may broadcast (DESIGN: stored per commitment, outside the snapshot). */
export interface CounterpartyCommitment {
  readonly commitmentNumber: number;
  /** Internal byte order. */
  readonly txid: Uint8Array;
  readonly perCommitmentPoint: Uint8Array;
  readonly feeratePerKw: number;
  readonly toCounterpartyMsat: bigint;
  readonly toHolderMsat: bigint;
  /** `offered` means offered by the counterparty (the broadcaster). */
  readonly htlcs: readonly MonitorHtlc[];
}

export interface ChannelMonitor {
  readonly channelId: Uint8Array;
  readonly counterpartyNodeId: Uint8Array;
  /** Only `static_remotekey` (non-anchor) channels exist so far. */
  readonly channelType: 'static_remotekey';
  readonly parameters: ChannelParameters;
  readonly secrets: HolderChannelSecrets;
  /** Where swept funds go (the tenant's destination). */
  readonly destinationScript: Uint8Array;
  /** The holder's shutdown script, once known. */
  readonly shutdownScript: Uint8Array | undefined;
  readonly currentHolderCommitment: HolderCommitment;
  readonly previousHolderCommitment: HolderCommitment | undefined;
  /** Counterparty commitments not yet revoked, oldest first: one, or two while a revocation is pending. */
  readonly unrevokedCounterpartyCommitments: readonly CounterpartyCommitment[];
  readonly counterpartySecrets: ShachainStore;
  /** Preimages by lowercase hex payment hash, pruned to those unrevoked commitments reference. */
  readonly paymentPreimages: ReadonlyMap<string, Uint8Array>;
  /** 0 for a new monitor; each update is exactly one more. */
  readonly latestUpdateId: number;
  /** The manager asked for a force close (`ChannelForceClosed`). */
  readonly forceClosed: boolean;
  /** Lockdown: the monitor signed a holder commitment for broadcast; it must never sign a newer one. */
  readonly holderCommitmentSigned: boolean;
  /** Lockdown: the funding output was seen spent on-chain. */
  readonly fundingSpendSeen: boolean;
}

/** True once the monitor must refuse to move to newer state (DESIGN: "lockdown"). */
export function isLockedDown(monitor: ChannelMonitor): boolean {
  return monitor.holderCommitmentSigned || monitor.fundingSpendSeen;
}

/** The holder commitment as a broadcaster-side state (for `buildSideCommitment`). */
export function holderCommitmentState(
  commitment: HolderCommitment,
  perCommitmentPoint: Uint8Array,
): CommitmentState {
  return {
    commitmentNumber: commitment.commitmentNumber,
    perCommitmentPoint,
    feeratePerKw: commitment.feeratePerKw,
    toBroadcasterMsat: commitment.toHolderMsat,
    toCountersignatoryMsat: commitment.toCounterpartyMsat,
    htlcs: commitment.htlcs,
  };
}

/** The counterparty commitment as a broadcaster-side state (for `buildSideCommitment`). */
export function counterpartyCommitmentState(commitment: CounterpartyCommitment): CommitmentState {
  return {
    commitmentNumber: commitment.commitmentNumber,
    perCommitmentPoint: commitment.perCommitmentPoint,
    feeratePerKw: commitment.feeratePerKw,
    toBroadcasterMsat: commitment.toCounterpartyMsat,
    toCountersignatoryMsat: commitment.toHolderMsat,
    htlcs: commitment.htlcs,
  };
}
