/**
 * What spent a channel's funding output (BOLT 5 "Mutual Close Handling", "Unilateral Close
 * Handling", "Revoked Transaction Close Handling"): one of our commitments, one of the
 * counterparty's (unrevoked or revoked), or a cooperative close. The ClaimEngine turns the answer
 * into claim inputs (claim-inputs.ts, see claim-input.ts).
 *
 * A commitment is recognised by its txid; a revoked counterparty commitment, which has left the
 * snapshot, by the commitment number its locktime and sequence encode (BOLT 3 "Commitment
 * Transaction": upper bytes 0x20 and 0x80, lower 24 bits of each XORed with the obscuring factor),
 * then by the per-commitment secret the counterparty revealed for that number and the record the
 * monitor stored for it.
 *
 * Results carry secrets (`perCommitmentSecret`): never log a classification whole.
 */
import { equalBytes } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { txid as txidOf, type Transaction } from '@vigil/shared/bitcoin/tx';
import { buildSideCommitment, obscuringFactor } from '@vigil/shared/ln/channel-parameters';
import { decodeCommitmentNumber } from '@vigil/shared/ln/commitment-number';
import {
  type ChannelMonitor,
  type CounterpartyCommitment,
  type HolderCommitment,
  holderCommitmentState,
} from '@vigil/shared/monitor-model/channel-monitor';
import {
  holderPerCommitmentPoint,
  secretIndexOfCommitment,
} from '@vigil/shared/monitor-model/commitment-checks';

/** Of the two commitments a side may broadcast without being punished, which one. */
export type CommitmentAge = 'current' | 'previous';

interface Spend {
  /** The spending transaction's txid, internal byte order. */
  readonly txid: Uint8Array;
}

/** Our own commitment: sweep `to_local` after the delay, broadcast our HTLC transactions. */
export interface HolderCommitmentSpend extends Spend {
  readonly kind: 'holderCommitment';
  readonly which: CommitmentAge;
  readonly commitment: HolderCommitment;
}

/**
 * The counterparty's commitment, not revoked: claim HTLCs we offered after their timeout and
 * those offered to us whose preimage we know. With two unrevoked, the older is `previous`.
 */
export interface CounterpartyCommitmentSpend extends Spend {
  readonly kind: 'counterpartyCommitment';
  readonly which: CommitmentAge;
  readonly record: CounterpartyCommitment;
}

/** A counterparty commitment it revoked, with its record: justice on `to_local` and every HTLC. */
export interface RevokedCounterpartyCommitmentSpend extends Spend {
  readonly kind: 'revokedCounterpartyCommitment';
  readonly commitmentNumber: number;
  readonly record: CounterpartyCommitment;
  /** A secret: the revocation private key derives from it. */
  readonly perCommitmentSecret: Uint8Array;
}

/**
 * A revoked counterparty commitment whose record is missing (or does not match the transaction).
 * The secret still gives the per-commitment point, hence every per-commitment key, so without the
 * record the engine can still claim:
 * - `to_local`: its script needs only the revocation pubkey, the counterparty's delayed key and
 *   our `to_self_delay`, all derived from the point and the channel parameters, so the output is
 *   found by its P2WSH script and taken with the revocation key;
 * - `to_remote`: ours already (static_remotekey P2WPKH to our payment basepoint).
 * The HTLC outputs are not recoverable: their scripts commit to each HTLC's payment hash (and a
 * received HTLC's expiry), which only the record holds. Once the counterparty spends one through
 * its HTLC transaction, though, that transaction's output has the same script as `to_local` and
 * can be taken the same way.
 */
export interface RevokedUnknownSpend extends Spend {
  readonly kind: 'revokedUnknown';
  readonly commitmentNumber: number;
  /** A secret: the revocation private key derives from it. */
  readonly perCommitmentSecret: Uint8Array;
}

/**
 * Not commitment-shaped (BOLT 2 `closing_signed`: locktime 0, sequence 0xFFFFFFFF). Anything that
 * spends the 2-of-2 funding output carries both signatures, so a non-commitment spend is one both
 * sides agreed to.
 */
export interface CooperativeCloseSpend extends Spend {
  readonly kind: 'cooperativeClose';
}

/** Commitment-shaped but none the monitor knows. Should not happen: log it loudly. */
export interface UnknownCommitmentSpend extends Spend {
  readonly kind: 'unknownCommitment';
  /** What the locktime and sequence decode to. */
  readonly commitmentNumber: number;
}

export type FundingSpend =
  | HolderCommitmentSpend
  | CounterpartyCommitmentSpend
  | RevokedCounterpartyCommitmentSpend
  | RevokedUnknownSpend
  | CooperativeCloseSpend
  | UnknownCommitmentSpend;

/** The stored counterparty commitment record with this number, if any (counterparty-records.ts). */
export type CounterpartyRecordLookup = (commitmentNumber: number) => CounterpartyCommitment | undefined;

export interface HolderCommitmentTxids {
  readonly current: Uint8Array;
  readonly previous: Uint8Array | undefined;
}

/**
 * Rebuilding a holder commitment costs a shachain derivation, a point multiplication, key
 * derivation and hashing, so its txid is computed once per monitor value. Monitors are immutable
 * (`applyUpdate` returns a new one), so an entry never goes stale, and it goes with its monitor.
 */
const holderTxidCache = new WeakMap<ChannelMonitor, HolderCommitmentTxids>();

/** The txids of `monitor`'s current and previous holder commitments (cached per monitor value). */
export function holderCommitmentTxids(monitor: ChannelMonitor): HolderCommitmentTxids {
  let txids = holderTxidCache.get(monitor);
  if (txids === undefined) {
    const previous = monitor.previousHolderCommitment;
    txids = {
      current: holderCommitmentTxid(monitor, monitor.currentHolderCommitment),
      previous: previous === undefined ? undefined : holderCommitmentTxid(monitor, previous),
    };
    holderTxidCache.set(monitor, txids);
  }
  return txids;
}

function holderCommitmentTxid(monitor: ChannelMonitor, commitment: HolderCommitment): Uint8Array {
  const point = holderPerCommitmentPoint(monitor.secrets, commitment.commitmentNumber);
  const built = buildSideCommitment(monitor.parameters, 'holder', holderCommitmentState(commitment, point));
  return txidOf(built.tx);
}

/**
 * Classifies `tx`, which must spend `monitor`'s funding outpoint (else a ValidationError).
 * `lookupCounterpartyRecord` is asked only for a revoked commitment's number.
 */
export function classifyFundingSpend(
  monitor: ChannelMonitor,
  tx: Transaction,
  lookupCounterpartyRecord: CounterpartyRecordLookup,
): FundingSpend {
  const funding = monitor.parameters.fundingOutpoint;
  const input = tx.inputs.find(
    (i) => i.prevout.vout === funding.vout && equalBytes(i.prevout.txid, funding.txid),
  );
  if (input === undefined) {
    throw new ValidationError('tx.inputs', "no input spends the channel's funding outpoint");
  }
  const txid = txidOf(tx);
  const commitmentNumber = decodeCommitmentNumber(
    tx.locktime,
    input.sequence,
    obscuringFactor(monitor.parameters),
  );
  if (commitmentNumber === undefined) return { kind: 'cooperativeClose', txid };
  return (
    holderSpend(monitor, commitmentNumber, txid) ??
    unrevokedCounterpartySpend(monitor, txid) ??
    revokedSpend(monitor, commitmentNumber, txid, lookupCounterpartyRecord) ?? {
      kind: 'unknownCommitment',
      txid,
      commitmentNumber,
    }
  );
}

/** Our current or previous commitment; only rebuilt when the number matches one of them. */
function holderSpend(
  monitor: ChannelMonitor,
  commitmentNumber: number,
  txid: Uint8Array,
): HolderCommitmentSpend | undefined {
  const candidates = [
    ['current', monitor.currentHolderCommitment],
    ['previous', monitor.previousHolderCommitment],
  ] as const;
  for (const [which, commitment] of candidates) {
    if (commitment?.commitmentNumber !== commitmentNumber) continue;
    if (equalBytes(holderCommitmentTxids(monitor)[which]!, txid)) {
      return { kind: 'holderCommitment', txid, which, commitment };
    }
  }
  return undefined;
}

/** One of the (at most two, oldest first) unrevoked counterparty commitments, by stored txid. */
function unrevokedCounterpartySpend(
  monitor: ChannelMonitor,
  txid: Uint8Array,
): CounterpartyCommitmentSpend | undefined {
  const unrevoked = monitor.unrevokedCounterpartyCommitments;
  const at = unrevoked.findIndex((record) => equalBytes(record.txid, txid));
  if (at < 0) return undefined;
  const which = at === unrevoked.length - 1 ? 'current' : 'previous';
  return { kind: 'counterpartyCommitment', txid, which, record: unrevoked[at]! };
}

/** A commitment whose secret the counterparty revealed, with its record when that matches `txid`. */
function revokedSpend(
  monitor: ChannelMonitor,
  commitmentNumber: number,
  txid: Uint8Array,
  lookupCounterpartyRecord: CounterpartyRecordLookup,
): RevokedCounterpartyCommitmentSpend | RevokedUnknownSpend | undefined {
  const perCommitmentSecret = revealedSecret(monitor, commitmentNumber);
  if (perCommitmentSecret === undefined) return undefined;
  const record = lookupCounterpartyRecord(commitmentNumber);
  if (record === undefined || !equalBytes(record.txid, txid)) {
    return { kind: 'revokedUnknown', txid, commitmentNumber, perCommitmentSecret };
  }
  return { kind: 'revokedCounterpartyCommitment', txid, commitmentNumber, record, perCommitmentSecret };
}

/** The counterparty's secret for its commitment `commitmentNumber`, if revealed (shachain). */
function revealedSecret(monitor: ChannelMonitor, commitmentNumber: number): Uint8Array | undefined {
  // Secrets are revealed in decreasing index order, so every index at or above the lowest is known.
  const lowest = monitor.counterpartySecrets.minIndex;
  const index = secretIndexOfCommitment(commitmentNumber);
  return lowest !== undefined && index >= lowest ? monitor.counterpartySecrets.getSecret(index) : undefined;
}
