/**
 * The channel state machine, BOLT 2 (02-peer-protocol.md): what the ChannelManager drives. See
 * `channel.ts` for the state machine, `channel-watch.ts` for the monitor hand-off and
 * `channel-output.ts` for what it asks of its caller.
 */
export {
  Channel,
  type ChannelDeps,
  type ChannelPhase,
  type CreatedChannel,
  type OutgoingHtlc,
} from './channel.js';
export {
  type ChannelConfig,
  DEFAULT_CHANNEL_CONFIG,
  type FeerateEstimates,
  validateChannelConfig,
  validateFeerateEstimates,
} from './channel-config.js';
export { CommandRefused, LocalDataLoss, ProtocolViolation } from './channel-errors.js';
export type { OpenChannelParams } from './channel-opening.js';
export type { ChannelOutput, CloseReason, OutgoingHtlcFailure } from './channel-output.js';
export { ChannelSigner } from './channel-signer.js';
export { type ChannelWatch, INITIAL_WATCH_ID, type UpdateStatus } from './channel-watch.js';
export type { Commitments, ChannelLimits, LocalCommit, RemoteCommit } from './commitments.js';
export type { HeldUpdate } from './holding-cell.js';
export type { AddHtlcCommand } from './htlc-updates.js';
