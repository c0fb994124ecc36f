/**
 * The static parameters of a channel (both sides' basepoints, delays, dust limits, funding output,
 * who funded it) and, from them, the commitment transactions of either side (BOLT 3 "Keys",
 * "Commitment Transaction"). After LDK's `ChannelTransactionParameters`.
 *
 * The channel state machine and every monitor build commitments only through this module, so the
 * manager's signatures and a monitor's broadcast are over the very same transaction.
 */
import { expectBigUint, expectLength, expectUint, toHex, U64_MAX } from '../bytes.js';
import { ValidationError } from '../errors.js';
import { txid, type OutPoint, type Transaction } from '../bitcoin/tx.js';
import { validatePubkey } from '../bitcoin/secp256k1.js';
import { commitmentObscuringFactor } from './commitment-number.js';
import {
  buildCommitment,
  type BuiltCommitment,
  type CommitmentHtlc,
  type CommitmentKeys,
} from './commitment.js';
import { buildHtlcTx } from './htlc-tx.js';
import { derivePubkey, deriveRevocationPubkey } from './keys.js';

/** One side's public basepoints (BOLT 2 `open_channel` / `accept_channel`). */
export interface ChannelPublicKeys {
  readonly fundingPubkey: Uint8Array;
  readonly revocationBasepoint: Uint8Array;
  readonly paymentBasepoint: Uint8Array;
  readonly delayedPaymentBasepoint: Uint8Array;
  readonly htlcBasepoint: Uint8Array;
}

export interface ChannelParameters {
  readonly fundingOutpoint: OutPoint;
  readonly fundingValueSat: bigint;
  /** The holder opened (funded) the channel, so it pays commitment fees. */
  readonly holderIsFunder: boolean;
  readonly holderPubkeys: ChannelPublicKeys;
  readonly counterpartyPubkeys: ChannelPublicKeys;
  /** `to_self_delay` the holder requires of the counterparty's outputs. */
  readonly holderSelectedContestDelay: number;
  /** `to_self_delay` the counterparty requires of the holder's outputs. */
  readonly counterpartySelectedContestDelay: number;
  readonly holderDustLimitSat: bigint;
  readonly counterpartyDustLimitSat: bigint;
}

/** What differs between two commitments of the same side (BOLT 2 state). */
export interface CommitmentState {
  /** Counts up from 0 (BOLT 3 "commitment number"). */
  readonly commitmentNumber: number;
  /** The broadcaster's per-commitment point for this commitment. */
  readonly perCommitmentPoint: Uint8Array;
  readonly feeratePerKw: number;
  readonly toBroadcasterMsat: bigint;
  readonly toCountersignatoryMsat: bigint;
  /** Described from the broadcaster's side (`offered` = offered by the broadcaster). */
  readonly htlcs: readonly CommitmentHtlc[];
}

const PUBKEY_FIELDS = [
  'fundingPubkey',
  'revocationBasepoint',
  'paymentBasepoint',
  'delayedPaymentBasepoint',
  'htlcBasepoint',
] as const;

/** Throws a ValidationError naming the first malformed parameter. */
export function validateChannelParameters(p: ChannelParameters, field = 'channelParameters'): void {
  expectLength(p.fundingOutpoint.txid, 32, `${field}.fundingOutpoint.txid`);
  expectUint(p.fundingOutpoint.vout, 0xffff_ffff, `${field}.fundingOutpoint.vout`);
  expectBigUint(p.fundingValueSat, U64_MAX, `${field}.fundingValueSat`);
  for (const side of ['holderPubkeys', 'counterpartyPubkeys'] as const) {
    for (const key of PUBKEY_FIELDS) validatePubkey(p[side][key], `${field}.${side}.${key}`);
  }
  expectUint(p.holderSelectedContestDelay, 0xffff, `${field}.holderSelectedContestDelay`);
  expectUint(p.counterpartySelectedContestDelay, 0xffff, `${field}.counterpartySelectedContestDelay`);
  expectBigUint(p.holderDustLimitSat, U64_MAX, `${field}.holderDustLimitSat`);
  expectBigUint(p.counterpartyDustLimitSat, U64_MAX, `${field}.counterpartyDustLimitSat`);
}

/** The commitment-number obscuring factor: opener's payment basepoint first. */
export function obscuringFactor(p: ChannelParameters): number {
  const [opener, accepter] = p.holderIsFunder
    ? [p.holderPubkeys, p.counterpartyPubkeys]
    : [p.counterpartyPubkeys, p.holderPubkeys];
  return commitmentObscuringFactor(opener.paymentBasepoint, accepter.paymentBasepoint);
}

/**
 * Derived keys of recent commitments. Deriving costs several point multiplications (~12 ms with
 * noble), and the same commitment's keys are derived by its signer, its verifier and every
 * monitor that checks or rebuilds it; the inputs are public, so caching them leaks nothing.
 */
const recentCommitmentKeys = new Map<string, CommitmentKeys>();
const RECENT_COMMITMENT_KEYS_LIMIT = 1024;

/** BOLT 3 per-commitment keys of a commitment broadcast by the owner of `broadcaster`. */
export function deriveCommitmentKeys(
  broadcaster: ChannelPublicKeys,
  countersignatory: ChannelPublicKeys,
  perCommitmentPoint: Uint8Array,
): CommitmentKeys {
  const cacheKey = [
    broadcaster.htlcBasepoint,
    broadcaster.delayedPaymentBasepoint,
    countersignatory.revocationBasepoint,
    countersignatory.htlcBasepoint,
    countersignatory.paymentBasepoint,
    perCommitmentPoint,
  ]
    .map(toHex)
    .join('');
  const cached = recentCommitmentKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  const keys = computeCommitmentKeys(broadcaster, countersignatory, perCommitmentPoint);
  if (recentCommitmentKeys.size >= RECENT_COMMITMENT_KEYS_LIMIT) {
    recentCommitmentKeys.delete(recentCommitmentKeys.keys().next().value!);
  }
  recentCommitmentKeys.set(cacheKey, keys);
  return keys;
}

function computeCommitmentKeys(
  broadcaster: ChannelPublicKeys,
  countersignatory: ChannelPublicKeys,
  perCommitmentPoint: Uint8Array,
): CommitmentKeys {
  return {
    revocationPubkey: deriveRevocationPubkey(countersignatory.revocationBasepoint, perCommitmentPoint),
    broadcasterHtlcPubkey: derivePubkey(broadcaster.htlcBasepoint, perCommitmentPoint),
    countersignatoryHtlcPubkey: derivePubkey(countersignatory.htlcBasepoint, perCommitmentPoint),
    broadcasterDelayedPubkey: derivePubkey(broadcaster.delayedPaymentBasepoint, perCommitmentPoint),
    countersignatoryPaymentBasepoint: countersignatory.paymentBasepoint,
  };
}

export type CommitmentSide = 'holder' | 'counterparty';

/** The parameters seen from the broadcaster of a `side` commitment. */
function broadcasterView(p: ChannelParameters, side: CommitmentSide) {
  const holder = side === 'holder';
  return {
    broadcaster: holder ? p.holderPubkeys : p.counterpartyPubkeys,
    countersignatory: holder ? p.counterpartyPubkeys : p.holderPubkeys,
    // Each side's outputs are delayed by the delay the *other* side selected.
    toSelfDelay: holder ? p.counterpartySelectedContestDelay : p.holderSelectedContestDelay,
    dustLimitSat: holder ? p.holderDustLimitSat : p.counterpartyDustLimitSat,
    broadcasterIsFunder: holder === p.holderIsFunder,
  };
}

/** A commitment of `side` together with the keys it was built with. */
export interface SideCommitment extends BuiltCommitment {
  readonly side: CommitmentSide;
  readonly keys: CommitmentKeys;
  readonly toSelfDelay: number;
  readonly feeratePerKw: number;
  readonly htlcs: readonly CommitmentHtlc[];
}

/** Builds the unsigned commitment `side` would broadcast in `state`. */
export function buildSideCommitment(
  p: ChannelParameters,
  side: CommitmentSide,
  state: CommitmentState,
): SideCommitment {
  const view = broadcasterView(p, side);
  const keys = deriveCommitmentKeys(view.broadcaster, view.countersignatory, state.perCommitmentPoint);
  const built = buildCommitment({
    fundingOutpoint: p.fundingOutpoint,
    commitmentNumber: state.commitmentNumber,
    obscuringFactor: obscuringFactor(p),
    feeratePerKw: state.feeratePerKw,
    dustLimitSat: view.dustLimitSat,
    toSelfDelay: view.toSelfDelay,
    broadcasterIsFunder: view.broadcasterIsFunder,
    toBroadcasterMsat: state.toBroadcasterMsat,
    toCountersignatoryMsat: state.toCountersignatoryMsat,
    htlcs: state.htlcs,
    keys,
  });
  return {
    ...built,
    side,
    keys,
    toSelfDelay: view.toSelfDelay,
    feeratePerKw: state.feeratePerKw,
    htlcs: state.htlcs,
  };
}

/** An HTLC output of a commitment with the unsigned second-stage transaction that spends it. */
export interface HtlcTxInfo {
  readonly outputIndex: number;
  readonly htlcIndex: number;
  readonly witnessScript: Uint8Array;
  readonly tx: Transaction;
}

/**
 * The second-stage transactions of every untrimmed HTLC of `commitment`, in output order (the order
 * in which `commitment_signed` carries their signatures).
 */
export function buildHtlcTxs(commitment: SideCommitment): HtlcTxInfo[] {
  const commitmentTxid = txid(commitment.tx);
  const infos: HtlcTxInfo[] = [];
  commitment.outputs.forEach((output, outputIndex) => {
    if (output.kind !== 'htlc') return;
    const htlc = commitment.htlcs[output.htlcIndex];
    if (htlc === undefined) throw new ValidationError('commitment.outputs', `no HTLC ${output.htlcIndex}`);
    infos.push({
      outputIndex,
      htlcIndex: output.htlcIndex,
      witnessScript: output.witnessScript,
      tx: buildHtlcTx({
        commitmentTxid,
        outputIndex,
        htlc,
        feeratePerKw: commitment.feeratePerKw,
        toSelfDelay: commitment.toSelfDelay,
        revocationPubkey: commitment.keys.revocationPubkey,
        broadcasterDelayedPubkey: commitment.keys.broadcasterDelayedPubkey,
      }),
    });
  });
  return infos;
}
