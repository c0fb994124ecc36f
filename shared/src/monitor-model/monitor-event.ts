/**
 * `MonitorEvent`: what a monitor tells the manager (DESIGN.md "The domain"). Unlike LDK's, events
 * are durable: each gets a per-tenant sequence number in the monitor's outbox and is resent until
 * the manager acknowledges it.
 */
import type { OutPoint } from '../bitcoin/tx.js';

/** An output the monitor swept to the tenant's destination script, now the tenant's wallet's. */
export interface SpendableOutput {
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  readonly scriptPubKey: Uint8Array;
}

export type MonitorEvent =
  /**
   * An HTLC settled on-chain: with `preimage` when it was claimed with one (sent at once), without
   * when it timed out (sent only after ANTI_REORG_DELAY confirmations).
   */
  | {
      readonly kind: 'htlcResolved';
      readonly channelId: Uint8Array;
      readonly htlcId: bigint;
      readonly paymentHash: Uint8Array;
      readonly preimage: Uint8Array | undefined;
      readonly valueSat: bigint;
    }
  /**
   * The monitor broadcast our latest commitment: an HTLC was about to expire, or the manager asked
   * (ChannelForceClosed { shouldBroadcast }), as LDK queues it in both cases.
   */
  | {
      readonly kind: 'holderForceClosedWithInfo';
      readonly channelId: Uint8Array;
      readonly fundingOutpoint: OutPoint;
      readonly reason: string;
    }
  /** A commitment transaction spending the funding output is ANTI_REORG_DELAY blocks deep. */
  | { readonly kind: 'commitmentTxConfirmed'; readonly channelId: Uint8Array; readonly txid: Uint8Array }
  | {
      readonly kind: 'spendableOutputs';
      readonly channelId: Uint8Array;
      readonly outputs: readonly SpendableOutput[];
    }
  /** A claim transaction reached ANTI_REORG_DELAY confirmations. */
  | { readonly kind: 'claimConfirmed'; readonly channelId: Uint8Array; readonly txid: Uint8Array };

/** LDK's values (DESIGN.md "Constants"). */
export const ANTI_REORG_DELAY = 6;
export const CLTV_CLAIM_BUFFER = 36;
export const LATENCY_GRACE_PERIOD_BLOCKS = 3;
export const MIN_CLTV_EXPIRY_DELTA = 48;
