/**
 * The channel's commitments as a monitor records them (DESIGN.md "The domain": `HolderCommitment`
 * for `LatestHolderCommitment`, `CounterpartyCommitment` for `LatestCounterpartyCommitment`), so
 * a watchtower can rebuild, through the same BOLT 3 builder, exactly the transactions the peers
 * signed.
 *
 * HTLC directions are from each commitment's broadcaster: on ours `offered` means we offered it,
 * on the peer's that the peer did; `htlcId` is the offerer's BOLT 2 id.
 */
import type {
  CounterpartyCommitment,
  HolderCommitment,
  MonitorHtlc,
} from '@vigil/shared/monitor-model/channel-monitor';
import type { CommitmentSpec } from './commitment-spec.js';
import type { LocalCommit, RemoteCommit } from './commitments.js';

function monitorHtlcs(spec: CommitmentSpec): MonitorHtlc[] {
  return spec.htlcs.map(({ offered, add }) => ({
    htlcId: add.id,
    offered,
    amountMsat: add.amountMsat,
    paymentHash: add.paymentHash,
    cltvExpiry: add.cltvExpiry,
  }));
}

export function holderCommitmentRecord(commit: LocalCommit): HolderCommitment {
  return {
    commitmentNumber: commit.index,
    feeratePerKw: commit.spec.feeratePerKw,
    toHolderMsat: commit.spec.toBroadcasterMsat,
    toCounterpartyMsat: commit.spec.toCountersignatoryMsat,
    htlcs: monitorHtlcs(commit.spec),
    counterpartySignature: commit.counterpartySignature,
    counterpartyHtlcSignatures: commit.counterpartyHtlcSignatures,
  };
}

export function counterpartyCommitmentRecord(commit: RemoteCommit): CounterpartyCommitment {
  return {
    commitmentNumber: commit.index,
    txid: commit.txid,
    perCommitmentPoint: commit.perCommitmentPoint,
    feeratePerKw: commit.spec.feeratePerKw,
    toCounterpartyMsat: commit.spec.toBroadcasterMsat,
    toHolderMsat: commit.spec.toCountersignatoryMsat,
    htlcs: monitorHtlcs(commit.spec),
  };
}
