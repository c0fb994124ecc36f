/**
 * B's (the counterparty's) commitment at one moment, fully signed and ready to broadcast, with its
 * HTLC transactions (BOLT 3 "Commitment Transaction", "HTLC-Timeout and HTLC-Success
 * Transactions"): what a cheating B could broadcast later, once it has revoked that commitment.
 * B keeps its own ChannelMonitor in its ReplayingWatch (channel-pair.ts), from which this signs.
 */
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import type { HolderHtlcTx } from '@vigil/monitor/enforce/claim-input';
import { holderCommitmentTx, holderHtlcTxs } from '@vigil/monitor/enforce/claim-inputs';
import type { Peer } from '../fixtures/channel-pair.js';

export interface CounterpartySnapshot {
  readonly commitmentNumber: number;
  readonly commitment: Transaction;
  /** What B's own side of that commitment pays it (`to_local`), in msat. */
  readonly toBMsat: bigint;
  /**
   * B's HTLC-timeout transactions (valid after each HTLC's expiry) and HTLC-success transactions
   * for the HTLCs whose preimage B knows, in output order.
   */
  readonly htlcTxs: readonly HolderHtlcTx[];
}

/**
 * B's current commitment, and its HTLC transactions signed with every preimage B knows: those its
 * monitor holds and `morePreimages` (e.g. those of the HTLCs offered to B, its final recipient).
 */
export function snapshotCounterpartyCommitment(
  b: Peer,
  morePreimages: ReadonlyMap<string, Uint8Array> = new Map(),
): CounterpartySnapshot {
  const monitor = b.watch.monitor;
  if (monitor === undefined) throw new Error("B's channel is not watched yet");
  const preimages = new Map([...monitor.paymentPreimages, ...morePreimages]);
  return {
    commitmentNumber: monitor.currentHolderCommitment.commitmentNumber,
    commitment: holderCommitmentTx(monitor, 'current'),
    toBMsat: monitor.currentHolderCommitment.toHolderMsat,
    htlcTxs: holderHtlcTxs(monitor, 'current', preimages),
  };
}
