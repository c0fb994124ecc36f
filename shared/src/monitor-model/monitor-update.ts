/**
 * `ChannelMonitorUpdate` and its steps (DESIGN.md "The domain"), after LDK's
 * `ChannelMonitorUpdateStep`. The manager emits one update per channel change; `updateId` starts
 * at 1 and increases by exactly one, also after the channel closed.
 */
import type { CounterpartyCommitment, HolderCommitment } from './channel-monitor.js';

export type ChannelMonitorUpdateStep =
  /** Our new commitment with the counterparty's signatures, on receiving `commitment_signed`. */
  | { readonly kind: 'latestHolderCommitment'; readonly commitment: HolderCommitment }
  /** A commitment we signed for the counterparty, when we send `commitment_signed`. */
  | { readonly kind: 'latestCounterpartyCommitment'; readonly commitment: CounterpartyCommitment }
  /** A preimage we learned, when we claim an HTLC (final hop or upstream of a forward). */
  | { readonly kind: 'paymentPreimage'; readonly preimage: Uint8Array }
  /** The counterparty revoked a commitment, on receiving `revoke_and_ack` (shachain index). */
  | { readonly kind: 'commitmentSecret'; readonly index: number; readonly secret: Uint8Array }
  /** The manager force-closed the channel; with `shouldBroadcast` the monitor broadcasts our commitment. */
  | { readonly kind: 'channelForceClosed'; readonly shouldBroadcast: boolean }
  /** The holder's shutdown script became known. */
  | { readonly kind: 'shutdownScript'; readonly script: Uint8Array };

export interface ChannelMonitorUpdate {
  readonly channelId: Uint8Array;
  readonly updateId: number;
  readonly steps: readonly ChannelMonitorUpdateStep[];
}
