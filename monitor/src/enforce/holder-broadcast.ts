/**
 * When the monitor broadcasts our latest commitment itself (DESIGN.md "Enforcement"; BOLT 5 and
 * LDK's `should_broadcast_holder_commitment_txn`): an HTLC we offered has expired
 * (`cltv_expiry + LATENCY_GRACE_PERIOD_BLOCKS <= height`: the counterparty could still claim it
 * with the preimage while we wait for an off-chain failure), an HTLC offered to us whose preimage
 * we know is within CLTV_CLAIM_BUFFER blocks of its expiry (after which the counterparty takes it
 * back by timeout), or the manager force-closed the channel asking for the broadcast.
 */
import { toHex } from '@vigil/shared/bytes';
import type { ChannelMonitor } from '@vigil/shared/monitor-model/channel-monitor';
import { CLTV_CLAIM_BUFFER, LATENCY_GRACE_PERIOD_BLOCKS } from '@vigil/shared/monitor-model/monitor-event';

/** Why the holder commitment must go on-chain at `tipHeight`, or undefined. Stable per cause. */
export function holderBroadcastReason(monitor: ChannelMonitor, tipHeight: number): string | undefined {
  // ChannelForceClosed { shouldBroadcast: true } sets both (apply-update.ts).
  if (monitor.forceClosed && monitor.holderCommitmentSigned) return 'the manager force-closed the channel';
  for (const htlc of monitor.currentHolderCommitment.htlcs) {
    if (htlc.offered && htlc.cltvExpiry + LATENCY_GRACE_PERIOD_BLOCKS <= tipHeight) {
      return `outbound HTLC ${htlc.htlcId} expired at height ${htlc.cltvExpiry}`;
    }
    const preimageKnown = monitor.paymentPreimages.has(toHex(htlc.paymentHash));
    if (!htlc.offered && preimageKnown && htlc.cltvExpiry - CLTV_CLAIM_BUFFER <= tipHeight) {
      return `inbound HTLC ${htlc.htlcId} with a known preimage expires at height ${htlc.cltvExpiry}`;
    }
  }
  return undefined;
}
