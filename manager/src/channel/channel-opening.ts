/**
 * Channel establishment v1, BOLT 2 "The `open_channel` Message" and "The `accept_channel` Message":
 * building our message and checking the peer's against the receiver's requirements (every MUST
 * fail, and the MAYs this node applies through its `ChannelConfig`), then the balances of the
 * first commitments both sides sign in `funding_created` / `funding_signed`.
 *
 * Only `option_static_remotekey` channels exist here: the peer must ask for exactly that
 * `channel_type`.
 */
import { equalBytes } from '@vigil/shared/bytes';
import { commitmentFeeSat } from '@vigil/shared/ln/fees';
import type { ChannelPublicKeys } from '@vigil/shared/ln/channel-parameters';
import type { AcceptChannel, OpenChannel } from '@vigil/shared/ln/wire/index';
import {
  type ChannelConfig,
  channelReserveSat,
  type FeerateEstimates,
  LARGE_CHANNEL_FUNDING_SAT,
  MAX_ACCEPTED_HTLCS_LIMIT,
  MIN_DUST_LIMIT_SAT,
  MIN_FEERATE_PER_KW,
} from './channel-config.js';
import { CommandRefused, expectPeerPoint, ProtocolViolation } from './channel-errors.js';
import type { ChannelSigner } from './channel-signer.js';
import type { CommitmentSpec } from './commitment-spec.js';
import type { ChannelLimits } from './commitments.js';
import { shutdownScriptProblem } from './shutdown-script.js';

/** BOLT 9 feature bit 12 (`option_static_remotekey`) as a `channel_type` bit field. */
export const STATIC_REMOTEKEY_CHANNEL_TYPE = Uint8Array.of(0x10, 0x00);

/** What the opener chooses. */
export interface OpenChannelParams {
  readonly temporaryChannelId: Uint8Array;
  readonly fundingSat: bigint;
  readonly pushMsat: bigint;
  readonly feeratePerKw: number;
  /** Bit 0 of `channel_flags`: announce the channel to the network. */
  readonly announceChannel?: boolean;
  /** `upfront_shutdown_script`: where a mutual close must pay us. */
  readonly upfrontShutdownScript?: Uint8Array;
}

/** What one side sent in its opening message, besides its limits. */
export interface PeerOpening {
  readonly limits: ChannelLimits;
  readonly pubkeys: ChannelPublicKeys;
  readonly firstPerCommitmentPoint: Uint8Array;
  /** Empty or absent means the peer did not commit to a closing script. */
  readonly upfrontShutdownScript: Uint8Array | undefined;
}

/** Everything `open_channel` and `accept_channel` settled between the two sides. */
export interface OpeningTerms {
  readonly temporaryChannelId: Uint8Array;
  readonly holderIsFunder: boolean;
  readonly fundingSat: bigint;
  readonly pushMsat: bigint;
  readonly feeratePerKw: number;
  readonly holderLimits: ChannelLimits;
  readonly holderUpfrontShutdownScript: Uint8Array | undefined;
  /** Confirmations of the funding transaction before `channel_ready`. */
  readonly minimumDepth: number;
  readonly peer: PeerOpening;
}

function fail(field: string, problem: string): never {
  throw new ProtocolViolation(field, problem);
}

/** The limits we announce, with the reserve we require of the peer. */
export function holderLimits(config: ChannelConfig, reserveSat: bigint): ChannelLimits {
  return {
    dustLimitSat: config.dustLimitSat,
    channelReserveSat: reserveSat,
    htlcMinimumMsat: config.htlcMinimumMsat,
    maxHtlcValueInFlightMsat: config.maxHtlcValueInFlightMsat,
    maxAcceptedHtlcs: config.maxAcceptedHtlcs,
    toSelfDelay: config.toSelfDelay,
  };
}

/**
 * The opener's reserve: any dust limit we accept from the peer stays below it, so BOLT 2's "our
 * reserve below their dust limit" failure cannot happen.
 */
export function openerReserveSat(config: ChannelConfig, fundingSat: bigint): bigint {
  return channelReserveSat(config, fundingSat, config.maxDustLimitSat);
}

function limitsFields(limits: ChannelLimits) {
  return {
    dustLimitSatoshis: limits.dustLimitSat,
    maxHtlcValueInFlightMsat: limits.maxHtlcValueInFlightMsat,
    channelReserveSatoshis: limits.channelReserveSat,
    htlcMinimumMsat: limits.htlcMinimumMsat,
    toSelfDelay: limits.toSelfDelay,
    maxAcceptedHtlcs: limits.maxAcceptedHtlcs,
  };
}

function keysFields(signer: ChannelSigner) {
  return { ...signer.pubkeys, firstPerCommitmentPoint: signer.perCommitmentPoint(0) };
}

/** Refuses an opening the peer would have to reject (BOLT 2 `open_channel` sender requirements). */
export function checkOpenParams(params: OpenChannelParams, config: ChannelConfig): void {
  const refuse = (field: string, problem: string) => {
    throw new CommandRefused(`open_channel.${field}`, problem);
  };
  if (params.fundingSat >= LARGE_CHANNEL_FUNDING_SAT) refuse('funding_satoshis', 'must be below 2^24 sat');
  if (params.pushMsat > params.fundingSat * 1000n) refuse('push_msat', 'exceeds the funding');
  if (params.feeratePerKw < MIN_FEERATE_PER_KW)
    refuse('feerate_per_kw', `must be at least ${MIN_FEERATE_PER_KW}`);
  const feeMsat = commitmentFeeSat(params.feeratePerKw, 0) * 1000n;
  if (params.fundingSat * 1000n - params.pushMsat < feeMsat)
    refuse('push_msat', 'leaves too little to pay the fee');
  checkOwnShutdownScript(params.upfrontShutdownScript, config, 'open_channel.upfront_shutdown_script');
}

/** Refuses a closing script of ours the peer would reject (BOLT 2 `shutdown` forms). */
export function checkOwnShutdownScript(
  script: Uint8Array | undefined,
  config: ChannelConfig,
  field: string,
): void {
  const problem = script === undefined ? undefined : shutdownScriptProblem(script, config.anySegwitShutdown);
  if (problem !== undefined) throw new CommandRefused(field, problem);
}

/** Both opening messages carry `channel_type`, hence BOLT 2 also requires `upfront_shutdown_script`. */
function openingTlvs(upfrontShutdownScript: Uint8Array | undefined) {
  return {
    upfrontShutdownScript: { shutdownScriptpubkey: upfrontShutdownScript ?? new Uint8Array(0) },
    channelType: { type: STATIC_REMOTEKEY_CHANNEL_TYPE },
  };
}

export function buildOpenChannel(
  config: ChannelConfig,
  signer: ChannelSigner,
  params: OpenChannelParams,
  limits: ChannelLimits,
): OpenChannel {
  return {
    type: 'open_channel',
    chainHash: config.chainHash,
    temporaryChannelId: params.temporaryChannelId,
    fundingSatoshis: params.fundingSat,
    pushMsat: params.pushMsat,
    ...limitsFields(limits),
    feeratePerKw: params.feeratePerKw,
    ...keysFields(signer),
    channelFlags: params.announceChannel === true ? 1 : 0,
    tlvs: openingTlvs(params.upfrontShutdownScript),
  };
}

export function buildAcceptChannel(terms: OpeningTerms, signer: ChannelSigner): AcceptChannel {
  return {
    type: 'accept_channel',
    temporaryChannelId: terms.temporaryChannelId,
    ...limitsFields(terms.holderLimits),
    minimumDepth: terms.minimumDepth,
    ...keysFields(signer),
    tlvs: openingTlvs(terms.holderUpfrontShutdownScript),
  };
}

type OpeningMessage = OpenChannel | AcceptChannel;

/** The keys both opening messages carry, with their names in the spec. */
const POINT_FIELDS = [
  ['fundingPubkey', 'funding_pubkey'],
  ['revocationBasepoint', 'revocation_basepoint'],
  ['paymentBasepoint', 'payment_basepoint'],
  ['delayedPaymentBasepoint', 'delayed_payment_basepoint'],
  ['htlcBasepoint', 'htlc_basepoint'],
  ['firstPerCommitmentPoint', 'first_per_commitment_point'],
] as const;

/** The requirements `open_channel` and `accept_channel` share (BOLT 2: "same requirements"). */
function checkCommonFields(msg: OpeningMessage, config: ChannelConfig): PeerOpening {
  const at = (field: string) => `${msg.type}.${field}`;
  if (msg.toSelfDelay > config.maxToSelfDelay) {
    fail(
      at('to_self_delay'),
      `${msg.toSelfDelay} is unreasonably large (our maximum is ${config.maxToSelfDelay})`,
    );
  }
  if (msg.maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS_LIMIT) {
    fail(at('max_accepted_htlcs'), `${msg.maxAcceptedHtlcs} is greater than ${MAX_ACCEPTED_HTLCS_LIMIT}`);
  }
  if (msg.dustLimitSatoshis < MIN_DUST_LIMIT_SAT) {
    fail(at('dust_limit_satoshis'), `${msg.dustLimitSatoshis} is below ${MIN_DUST_LIMIT_SAT}`);
  }
  if (msg.dustLimitSatoshis > config.maxDustLimitSat) {
    fail(
      at('dust_limit_satoshis'),
      `${msg.dustLimitSatoshis} is above our maximum ${config.maxDustLimitSat}`,
    );
  }
  if (msg.dustLimitSatoshis > msg.channelReserveSatoshis) {
    fail(
      at('dust_limit_satoshis'),
      `${msg.dustLimitSatoshis} is greater than channel_reserve_satoshis ${msg.channelReserveSatoshis}`,
    );
  }
  for (const [key, name] of POINT_FIELDS) expectPeerPoint(msg[key], at(name));
  const channelType = msg.tlvs.channelType?.type;
  if (channelType === undefined || !equalBytes(channelType, STATIC_REMOTEKEY_CHANNEL_TYPE)) {
    fail(
      at('channel_type'),
      'must be option_static_remotekey (bit 12 alone), the only type this node supports',
    );
  }
  const upfront = nonEmpty(msg.tlvs.upfrontShutdownScript?.shutdownScriptpubkey);
  const upfrontProblem =
    upfront === undefined ? undefined : shutdownScriptProblem(upfront, config.anySegwitShutdown);
  if (upfrontProblem !== undefined) fail(at('upfront_shutdown_script'), upfrontProblem);
  return {
    limits: {
      dustLimitSat: msg.dustLimitSatoshis,
      channelReserveSat: msg.channelReserveSatoshis,
      htlcMinimumMsat: msg.htlcMinimumMsat,
      maxHtlcValueInFlightMsat: msg.maxHtlcValueInFlightMsat,
      maxAcceptedHtlcs: msg.maxAcceptedHtlcs,
      toSelfDelay: msg.toSelfDelay,
    },
    pubkeys: {
      fundingPubkey: msg.fundingPubkey,
      revocationBasepoint: msg.revocationBasepoint,
      paymentBasepoint: msg.paymentBasepoint,
      delayedPaymentBasepoint: msg.delayedPaymentBasepoint,
      htlcBasepoint: msg.htlcBasepoint,
    },
    firstPerCommitmentPoint: msg.firstPerCommitmentPoint,
    upfrontShutdownScript: upfront,
  };
}

/** BOLT 2: an empty `shutdown_scriptpubkey` commits to no script. */
function nonEmpty(script: Uint8Array | undefined): Uint8Array | undefined {
  return script === undefined || script.length === 0 ? undefined : script;
}

/** The funder's and the fundee's balances in the first commitments, before the fee. */
function initialBalancesMsat(
  fundingSat: bigint,
  pushMsat: bigint,
): { funderMsat: bigint; fundeeMsat: bigint } {
  return { funderMsat: fundingSat * 1000n - pushMsat, fundeeMsat: pushMsat };
}

/** Checks a peer's `open_channel` (we are the fundee) and settles the terms we will accept it on. */
export function checkOpenChannel(
  open: OpenChannel,
  config: ChannelConfig,
  feerates: FeerateEstimates,
  upfrontShutdownScript: Uint8Array | undefined,
): OpeningTerms {
  if (!equalBytes(open.chainHash, config.chainHash))
    fail('open_channel.chain_hash', "is not this node's chain");
  if (open.fundingSatoshis >= LARGE_CHANNEL_FUNDING_SAT) {
    fail(
      'open_channel.funding_satoshis',
      `${open.fundingSatoshis} needs option_support_large_channel (2^24 sat or more)`,
    );
  }
  if (open.fundingSatoshis < config.minFundingSat) {
    fail(
      'open_channel.funding_satoshis',
      `${open.fundingSatoshis} is below our minimum ${config.minFundingSat}`,
    );
  }
  if (open.pushMsat > open.fundingSatoshis * 1000n) {
    fail('open_channel.push_msat', `${open.pushMsat} is greater than funding_satoshis * 1000`);
  }
  if (open.feeratePerKw < feerates.minPerKw || open.feeratePerKw > feerates.maxPerKw) {
    fail(
      'open_channel.feerate_per_kw',
      `${open.feeratePerKw} is outside the reasonable range ${feerates.minPerKw} to ${feerates.maxPerKw}`,
    );
  }
  const peer = checkCommonFields(open, config);
  if (config.dustLimitSat > open.channelReserveSatoshis) {
    fail(
      'open_channel.channel_reserve_satoshis',
      `${open.channelReserveSatoshis} is below our dust limit ${config.dustLimitSat}`,
    );
  }
  const { funderMsat, fundeeMsat } = initialBalancesMsat(open.fundingSatoshis, open.pushMsat);
  const feeMsat = commitmentFeeSat(open.feeratePerKw, 0) * 1000n;
  if (funderMsat < feeMsat) {
    fail(
      'open_channel.push_msat',
      `leaves the funder ${funderMsat} msat, less than the initial commitment fee ${feeMsat} msat`,
    );
  }
  const reserveMsat = open.channelReserveSatoshis * 1000n;
  if (funderMsat - feeMsat <= reserveMsat && fundeeMsat <= reserveMsat) {
    fail(
      'open_channel.channel_reserve_satoshis',
      'both initial balances are at or below it: neither side could ever pay',
    );
  }
  return {
    temporaryChannelId: open.temporaryChannelId,
    holderIsFunder: false,
    fundingSat: open.fundingSatoshis,
    pushMsat: open.pushMsat,
    feeratePerKw: open.feeratePerKw,
    holderLimits: holderLimits(
      config,
      channelReserveSat(config, open.fundingSatoshis, open.dustLimitSatoshis),
    ),
    holderUpfrontShutdownScript: upfrontShutdownScript,
    minimumDepth: config.minimumDepth,
    peer,
  };
}

/** Checks the peer's `accept_channel` to our `open_channel` and settles the terms. */
export function checkAcceptChannel(
  accept: AcceptChannel,
  open: OpenChannel,
  config: ChannelConfig,
): OpeningTerms {
  if (accept.minimumDepth === 0 || accept.minimumDepth > config.maxMinimumDepth) {
    fail(
      'accept_channel.minimum_depth',
      `${accept.minimumDepth} is unreasonable (we accept 1 to ${config.maxMinimumDepth}; zero-conf is not negotiated)`,
    );
  }
  const peer = checkCommonFields(accept, config);
  if (accept.channelReserveSatoshis < open.dustLimitSatoshis) {
    fail(
      'accept_channel.channel_reserve_satoshis',
      `${accept.channelReserveSatoshis} is below our dust limit ${open.dustLimitSatoshis}`,
    );
  }
  if (open.channelReserveSatoshis < accept.dustLimitSatoshis) {
    fail(
      'accept_channel.dust_limit_satoshis',
      `${accept.dustLimitSatoshis} is above our channel reserve ${open.channelReserveSatoshis}`,
    );
  }
  return {
    temporaryChannelId: open.temporaryChannelId,
    holderIsFunder: true,
    fundingSat: open.fundingSatoshis,
    pushMsat: open.pushMsat,
    feeratePerKw: open.feeratePerKw,
    holderLimits: {
      dustLimitSat: open.dustLimitSatoshis,
      channelReserveSat: open.channelReserveSatoshis,
      htlcMinimumMsat: open.htlcMinimumMsat,
      maxHtlcValueInFlightMsat: open.maxHtlcValueInFlightMsat,
      maxAcceptedHtlcs: open.maxAcceptedHtlcs,
      toSelfDelay: open.toSelfDelay,
    },
    holderUpfrontShutdownScript: nonEmpty(open.tlvs.upfrontShutdownScript?.shutdownScriptpubkey),
    minimumDepth: accept.minimumDepth,
    peer,
  };
}

/** Our first commitment's spec (number 0, no HTLCs); the peer's is its mirror image. */
export function initialLocalSpec(terms: OpeningTerms): CommitmentSpec {
  const { funderMsat, fundeeMsat } = initialBalancesMsat(terms.fundingSat, terms.pushMsat);
  return {
    feeratePerKw: terms.feeratePerKw,
    toBroadcasterMsat: terms.holderIsFunder ? funderMsat : fundeeMsat,
    toCountersignatoryMsat: terms.holderIsFunder ? fundeeMsat : funderMsat,
    htlcs: [],
  };
}
