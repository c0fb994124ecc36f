/**
 * When the monitor broadcasts our latest commitment itself (DESIGN.md "Enforcement"; BOLT 5 and
 * LDK's `should_broadcast_holder_commitment_txn`): an HTLC we offered has expired
 * (`cltv_expiry + LATENCY_GRACE_PERIOD_BLOCKS <= height`: the counterparty could still claim it
 * with the preimage while we wait for an off-chain failure), an HTLC offered to us whose preimage
 * we know is within CLTV_CLAIM_BUFFER blocks of its expiry (after which the counterparty takes it
 * back by timeout), or the manager force-closed the channel asking for the broadcast. Like LDK,
 * HTLCs count from our current commitment and the counterparty's unrevoked ones.
 */
import { toHex } from '@vigil/shared/bytes';
import type { ChannelMonitor } from '@vigil/shared/monitor-model/channel-monitor';
import { CLTV_CLAIM_BUFFER, LATENCY_GRACE_PERIOD_BLOCKS } from '@vigil/shared/monitor-model/monitor-event';

/** From which height, and why, the holder commitment must go on-chain. Stable per cause. */
interface BroadcastDue {
  readonly height: number;
  readonly reason: string;
}

/** Per monitor value: the monitors of 100,000 channels are checked at every poll. */
const dueByMonitor = new WeakMap<ChannelMonitor, BroadcastDue | null>();

/** Why the holder commitment must go on-chain at `tipHeight`, or undefined. */
export function holderBroadcastReason(monitor: ChannelMonitor, tipHeight: number): string | undefined {
  let due = dueByMonitor.get(monitor);
  if (due === undefined) dueByMonitor.set(monitor, (due = earliestBroadcast(monitor)));
  return due !== null && due.height <= tipHeight ? due.reason : undefined;
}

function earliestBroadcast(monitor: ChannelMonitor): BroadcastDue | null {
  // ChannelForceClosed { shouldBroadcast: true } sets both (apply-update.ts).
  if (monitor.forceClosed && monitor.holderCommitmentSigned) {
    return { height: 0, reason: 'the manager force-closed the channel' };
  }
  // Our current commitment's HTLCs and the counterparty's unrevoked ones (an HTLC may be on only
  // one side while a commitment dance is under way), each as seen from the holder.
  const htlcs = [
    ...monitor.currentHolderCommitment.htlcs,
    ...monitor.unrevokedCounterpartyCommitments.flatMap((c) =>
      c.htlcs.map((htlc) => ({ ...htlc, offered: !htlc.offered })),
    ),
  ];
  const causes = htlcs.flatMap((htlc): BroadcastDue[] => {
    if (htlc.offered) {
      return [
        {
          height: htlc.cltvExpiry + LATENCY_GRACE_PERIOD_BLOCKS,
          reason: `outbound HTLC ${htlc.htlcId} expired at height ${htlc.cltvExpiry}`,
        },
      ];
    }
    if (!monitor.paymentPreimages.has(toHex(htlc.paymentHash))) return [];
    return [
      {
        height: htlc.cltvExpiry - CLTV_CLAIM_BUFFER,
        reason: `inbound HTLC ${htlc.htlcId} with a known preimage expires at height ${htlc.cltvExpiry}`,
      },
    ];
  });
  return causes.reduce<BroadcastDue | null>(
    (first, c) => (first === null || c.height < first.height ? c : first),
    null,
  );
}
