/**
 * What the ClaimEngine can spend (DESIGN.md "Enforcement"): one `ClaimInput` per output the tenant
 * is owed, with everything needed to sign it and to decide when and with which others it may be
 * spent. Built from a classified funding spend (classify-spend.ts) by claim-inputs.ts; turned into
 * transactions by claim-tx.ts. BOLT 3 "Transactions" gives the scripts and witnesses per kind.
 *
 * Invariants:
 * - `signingKey` is a secret: never logged, never in an error message.
 * - An input is spendable by the holder alone through the path `kind` names; nothing here needs
 *   the counterparty (the holder's own HTLC transactions, which do, are `HolderHtlcTx` claims).
 */
import type { OutPoint, Transaction } from '@vigil/shared/bitcoin/tx';
import type { MonitorHtlc } from '@vigil/shared/monitor-model/channel-monitor';

export type ClaimInputKind =
  /** The counterparty's `to_local` on its revoked commitment: `<revocation_sig> 1`. */
  | 'revokedToLocal'
  /** An HTLC output of the counterparty's revoked commitment: `<revocation_sig> <revocationpubkey>`. */
  | 'revokedHtlc'
  /** The output of the counterparty's HTLC transaction spending its revoked commitment: `<revocation_sig> 1`. */
  | 'revokedSecondStage'
  /** An HTLC the counterparty offered us, on its commitment: `<remotehtlcsig> <payment_preimage>`. */
  | 'counterpartyHtlcPreimage'
  /** An HTLC we offered, on the counterparty's commitment, after `cltv_expiry`: `<remotehtlcsig> <>`. */
  | 'counterpartyHtlcTimeout'
  /** Our `to_local`, or the output of our HTLC transaction, after `to_self_delay`: `<local_delayedsig> 0`. */
  | 'holderDelayed'
  /** `to_remote` on the counterparty's commitment (static_remotekey P2WPKH): `<sig> <payment_basepoint>`. */
  | 'staticRemote';

export interface ClaimInput {
  readonly kind: ClaimInputKind;
  readonly outpoint: OutPoint;
  readonly valueSat: bigint;
  /** P2WSH witness script; for `staticRemote` the P2WPKH scriptCode (BIP 143). */
  readonly script: Uint8Array;
  /** The private key that signs this input (revocation, HTLC, delayed or payment key). */
  readonly signingKey: Uint8Array;
  /** The public key of `signingKey`, for witnesses that carry it. */
  readonly signingPubkey: Uint8Array;
  /** For `counterpartyHtlcPreimage`. */
  readonly preimage?: Uint8Array;
  /** nSequence this input requires (`to_self_delay` for `holderDelayed`, else 0). */
  readonly csvDelay: number;
  /** nLockTime this input requires (`cltv_expiry` for `counterpartyHtlcTimeout`, else 0). */
  readonly locktime: number;
  /**
   * The height by which the claim must confirm before the counterparty can take the output
   * another way (an HTLC's expiry, the end of a second-stage CSV delay); undefined: no race.
   * Inclusive: the last block height the claim can confirm in while no competing spend can. Where
   * the counterparty may already hold what its path needs (a preimage), the first height the claim
   * itself can confirm at: due at once. Rules per kind: claim-inputs.ts.
   */
  readonly deadlineHeight: number | undefined;
  /**
   * May share a transaction with other inputs: false for inputs the counterparty can also spend
   * before the deadline (HTLC outputs it can claim by timeout or preimage), which an aggregated
   * transaction would let it pin (DESIGN.md "Enforcement": aggregation where pinning risk allows).
   */
  readonly aggregable: boolean;
  /** The HTLC an HTLC output carries (`revokedHtlc`, `counterpartyHtlc*`), for its events. */
  readonly htlc?: MonitorHtlc;
}

/** A holder HTLC-success or HTLC-timeout transaction: fully signed, its fee fixed by the commitment. */
export interface HolderHtlcTx {
  readonly tx: Transaction;
  /** The HTLC, `offered` meaning offered by the holder. */
  readonly htlc: MonitorHtlc;
  /** nLockTime (cltv_expiry) for HTLC-timeout, 0 for HTLC-success. */
  readonly locktime: number;
}
