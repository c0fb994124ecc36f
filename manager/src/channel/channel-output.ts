/**
 * What a channel asks of its caller after each input (BOLT 2 messages to send, transactions to
 * broadcast, and what the payment layer must learn). The channel does no I/O: the caller performs
 * these in order.
 */
import type { OutPoint, Transaction } from '@vigil/shared/bitcoin/tx';
import type {
  UpdateAddHtlc,
  UpdateFailHtlc,
  UpdateFailMalformedHtlc,
  WireMessage,
} from '@vigil/shared/ln/wire/index';

/** Why one of our HTLCs will not be paid. */
export type OutgoingHtlcFailure =
  /** The peer failed it, and the failure is irrevocably committed. */
  | { readonly kind: 'remote'; readonly message: UpdateFailHtlc | UpdateFailMalformedHtlc }
  /** It was never committed: refused when it left the holding cell, or dropped by a shutdown or close. */
  | { readonly kind: 'local'; readonly problem: string };

export type CloseReason =
  /** The peer broke a BOLT 2 rule; we sent an `error` naming it. */
  | { readonly kind: 'protocolViolation'; readonly field: string; readonly problem: string }
  /** The peer sent an `error`. */
  | { readonly kind: 'peerError'; readonly data: Uint8Array }
  /** Our caller force-closed. */
  | { readonly kind: 'forceClosed' }
  /** The peer proved we lost state: our commitment must not be broadcast (it may be revoked). */
  | { readonly kind: 'localDataLoss'; readonly problem: string }
  | { readonly kind: 'mutualClose' }
  /** Establishment stopped before any funds were committed (disconnection, error). */
  | { readonly kind: 'abandoned'; readonly problem: string };

export type ChannelOutput =
  | { readonly kind: 'send'; readonly message: WireMessage }
  /** The opener's wallet must build a transaction paying this, then call `fundingTransactionCreated`. */
  | { readonly kind: 'fundingRequired'; readonly scriptPubKey: Uint8Array; readonly valueSat: bigint }
  /** Report this outpoint's depth through `fundingDepthChanged` until `channelReady`. */
  | {
      readonly kind: 'watchFunding';
      readonly outpoint: OutPoint;
      readonly scriptPubKey: Uint8Array;
      readonly valueSat: bigint;
      readonly minimumDepth: number;
    }
  | {
      readonly kind: 'broadcast';
      readonly tx: Transaction;
      readonly purpose: 'funding' | 'holderCommitment' | 'mutualClose';
    }
  /** Both `channel_ready` exchanged: HTLCs may flow. */
  | { readonly kind: 'channelReady' }
  /** The peer's HTLC is irrevocably committed: forward or claim it. */
  | { readonly kind: 'incomingHtlcCommitted'; readonly htlc: UpdateAddHtlc }
  /** The peer revealed the preimage of our HTLC `ref` (claim upstream at once). */
  | {
      readonly kind: 'outgoingHtlcFulfilled';
      readonly ref: string;
      readonly htlcId: bigint;
      readonly paymentPreimage: Uint8Array;
    }
  | {
      readonly kind: 'outgoingHtlcFailed';
      readonly ref: string;
      readonly htlcId: bigint | undefined;
      readonly failure: OutgoingHtlcFailure;
    }
  /** A held `update_fee` no longer fit when the holding cell was freed, and was dropped. */
  | { readonly kind: 'feeUpdateDropped'; readonly feeratePerKw: number; readonly problem: string }
  | { readonly kind: 'closed'; readonly reason: CloseReason };
