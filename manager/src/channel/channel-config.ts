/**
 * What this node asks of its peers and what it accepts from them when opening a channel, BOLT 2
 * "Channel Establishment v1" (`open_channel` / `accept_channel` fields and the receiver's
 * requirements on them), plus the protocol constants BOLT 2 fixes.
 */
import { expectBigUint, expectLength, expectUint, U16_MAX, U32_MAX, U64_MAX } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';

/** BOLT 2: `max_accepted_htlcs` may not exceed 483 (keeps `commitment_signed` and penalty txs bounded). */
export const MAX_ACCEPTED_HTLCS_LIMIT = 483;
/** BOLT 2: `dust_limit_satoshis` below 354 would let commitments carry non-standard outputs. */
export const MIN_DUST_LIMIT_SAT = 354n;
/** BOLT 2: `feerate_per_kw` of at least 253 (1 sat/vbyte after rounding). */
export const MIN_FEERATE_PER_KW = 253;
/** BOLT 2: without `option_support_large_channel`, `funding_satoshis` must be below 2^24. */
export const LARGE_CHANNEL_FUNDING_SAT = 1n << 24n;
/** BOLT 2: `cltv_expiry` at or above this is a timestamp, which HTLCs may not use. */
export const CLTV_EXPIRY_TIMESTAMP_THRESHOLD = 500_000_000;

/** Feerates this node currently considers sane (from its fee estimator), per 1000 weight units. */
export interface FeerateEstimates {
  /** Below this a commitment would not confirm in time: an `update_fee` this low fails the channel. */
  readonly minPerKw: number;
  /** Above this a peer's feerate is unreasonable (it also costs us on HTLC transactions). */
  readonly maxPerKw: number;
  /** What we would pay for a mutual close now. */
  readonly closingPerKw: number;
}

export interface ChannelConfig {
  /** The chain this node runs on (`chain_hash`, genesis block hash in internal byte order). */
  readonly chainHash: Uint8Array;
  /** Our dust limit: outputs of our commitments below it are left out. */
  readonly dustLimitSat: bigint;
  /** The smallest HTLC we accept. */
  readonly htlcMinimumMsat: bigint;
  /** The total value of HTLCs the peer may offer us at once. */
  readonly maxHtlcValueInFlightMsat: bigint;
  /** How many HTLCs the peer may offer us at once. */
  readonly maxAcceptedHtlcs: number;
  /** The delay we impose on the peer's own outputs, so we can punish a revoked commitment. */
  readonly toSelfDelay: number;
  /** Confirmations we wait for before `channel_ready` when we accept a channel. */
  readonly minimumDepth: number;
  /** The reserve we require the peer to keep, in millionths of the funding (1% = 10,000). */
  readonly channelReservePpm: number;
  /** The longest delay we let the peer impose on our outputs. */
  readonly maxToSelfDelay: number;
  /** The most confirmations we accept to wait for when we open a channel. */
  readonly maxMinimumDepth: number;
  /** The smallest channel we accept. */
  readonly minFundingSat: bigint;
  /** The largest dust limit we accept from the peer (a high one lets it trim our HTLCs away). */
  readonly maxDustLimitSat: bigint;
  /** `option_shutdown_anysegwit` was negotiated: any witness v1-16 program is a valid close script. */
  readonly anySegwitShutdown: boolean;
}

/** LDK's and Eclair's usual values, except `chainHash`, which has no sensible default. */
export const DEFAULT_CHANNEL_CONFIG: Omit<ChannelConfig, 'chainHash'> = {
  dustLimitSat: 546n,
  htlcMinimumMsat: 1n,
  maxHtlcValueInFlightMsat: 0xffff_ffff_ffff_ffffn,
  maxAcceptedHtlcs: MAX_ACCEPTED_HTLCS_LIMIT,
  toSelfDelay: 144,
  minimumDepth: 3,
  channelReservePpm: 10_000,
  maxToSelfDelay: 2016,
  maxMinimumDepth: 144,
  minFundingSat: 1000n,
  maxDustLimitSat: 546n,
  anySegwitShutdown: false,
};

/** Throws a ValidationError naming the first setting that could not produce a valid channel. */
export function validateChannelConfig(config: ChannelConfig, field = 'config'): ChannelConfig {
  expectLength(config.chainHash, 32, `${field}.chainHash`);
  expectBigUint(config.dustLimitSat, U64_MAX, `${field}.dustLimitSat`);
  if (config.dustLimitSat < MIN_DUST_LIMIT_SAT)
    throw new ValidationError(`${field}.dustLimitSat`, `must be at least ${MIN_DUST_LIMIT_SAT}`);
  expectBigUint(config.htlcMinimumMsat, U64_MAX, `${field}.htlcMinimumMsat`);
  expectBigUint(config.maxHtlcValueInFlightMsat, U64_MAX, `${field}.maxHtlcValueInFlightMsat`);
  expectUint(config.maxAcceptedHtlcs, MAX_ACCEPTED_HTLCS_LIMIT, `${field}.maxAcceptedHtlcs`);
  expectUint(config.toSelfDelay, U16_MAX, `${field}.toSelfDelay`);
  expectUint(config.minimumDepth, U32_MAX, `${field}.minimumDepth`);
  expectUint(config.channelReservePpm, 1_000_000, `${field}.channelReservePpm`);
  expectUint(config.maxToSelfDelay, U16_MAX, `${field}.maxToSelfDelay`);
  expectUint(config.maxMinimumDepth, U32_MAX, `${field}.maxMinimumDepth`);
  expectBigUint(config.minFundingSat, U64_MAX, `${field}.minFundingSat`);
  expectBigUint(config.maxDustLimitSat, U64_MAX, `${field}.maxDustLimitSat`);
  return config;
}

/** Throws a ValidationError unless the estimates are ordered, in range and at least BOLT 2's floor. */
export function validateFeerateEstimates(e: FeerateEstimates, field = 'feerates'): FeerateEstimates {
  for (const key of ['minPerKw', 'maxPerKw', 'closingPerKw'] as const) {
    expectUint(e[key], U32_MAX, `${field}.${key}`);
    if (e[key] < MIN_FEERATE_PER_KW)
      throw new ValidationError(`${field}.${key}`, `must be at least ${MIN_FEERATE_PER_KW}`);
  }
  if (e.minPerKw > e.maxPerKw)
    throw new ValidationError(`${field}.minPerKw`, `${e.minPerKw} is above maxPerKw ${e.maxPerKw}`);
  return e;
}

/** The reserve we ask of the peer: a share of the funding, never below either side's dust limit. */
export function channelReserveSat(
  config: ChannelConfig,
  fundingSat: bigint,
  peerDustLimitSat: bigint,
): bigint {
  const share = (fundingSat * BigInt(config.channelReservePpm)) / 1_000_000n;
  return [share, config.dustLimitSat, peerDustLimitSat].reduce((a, b) => (a > b ? a : b));
}
