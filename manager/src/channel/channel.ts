/**
 * One channel with one peer, BOLT 2 (02-peer-protocol.md) from `open_channel` to the close: the
 * state machine that turns the peer's messages and our caller's commands into messages, monitor
 * updates (DESIGN.md "The domain") and outputs for the caller.
 *
 * Pure and deterministic: no I/O, clocks or randomness; keys come from the `ChannelSigner`, monitor
 * records go to the `ChannelWatch`, everything else is returned as `ChannelOutput`s, which the
 * `MonitorGate` releases only once the monitor updates they depend on are durable (the freeze).
 *
 * Invariants:
 * - a peer's message either applies completely or fails the channel (`error` naming the BOLT 2
 *   rule, `channelForceClosed`, our commitment broadcast); a refused command changes nothing;
 * - every monitor update is handed to the watch before any output that follows it;
 * - while we wait for a `revoke_and_ack` or a reconnection, our updates wait in the holding cell;
 * - once closed, the channel ignores the peer and refuses commands.
 */
import { equalBytes, expectUint, toHex } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { type Transaction, type TxOut, txid } from '@vigil/shared/bitcoin/tx';
import { fundingOutput } from '@vigil/shared/ln/funding';
import type {
  AcceptChannel,
  ChannelReady,
  ChannelReestablish,
  ClosingSigned,
  CommitmentSigned,
  ErrorMessage,
  FundingCreated,
  FundingSigned,
  OpenChannel,
  RevokeAndAck,
  Shutdown,
  UpdateAddHtlc,
  UpdateFee,
  WireMessage,
} from '@vigil/shared/ln/wire/index';
import type { CounterpartyCommitment, HolderCommitment } from '@vigil/shared/monitor-model/channel-monitor';
import type { ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import type { ChannelMonitorUpdateStep } from '@vigil/shared/monitor-model/monitor-update';
import type { HtlcRemoval, UpdateMessage } from './changes.js';
import {
  type ChannelConfig,
  type FeerateEstimates,
  validateChannelConfig,
  validateFeerateEstimates,
} from './channel-config.js';
import { CommandRefused, LocalDataLoss, ProtocolViolation, expectPeerPoint } from './channel-errors.js';
import {
  buildAcceptChannel,
  buildOpenChannel,
  checkAcceptChannel,
  checkOpenChannel,
  checkOpenParams,
  checkOwnShutdownScript,
  holderLimits,
  type OpenChannelParams,
  type OpeningTerms,
  openerReserveSat,
} from './channel-opening.js';
import type { ChannelOutput, CloseReason } from './channel-output.js';
import type { ChannelSigner } from './channel-signer.js';
import { type ChannelWatch, INITIAL_WATCH_ID } from './channel-watch.js';
import { receiveCommitment, receiveRevocation, sendCommitment } from './commitment-exchange.js';
import {
  type Commitments,
  dropUncommittedUpdates,
  isQuiescentAndEmpty,
  isWaitingForRevocation,
  localHasChanges,
  unrevokedRemoteCommits,
} from './commitments.js';
import { receiveFee, sendFee } from './fee-updates.js';
import { signedHolderCommitment } from './force-close.js';
import { expectFundingOutput } from './funding.js';
import { freeHoldingCell, type HeldUpdate, heldRemovals } from './holding-cell.js';
import {
  type AddHtlcCommand,
  failMalformedMessage,
  failMessage,
  fulfillMessage,
  receiveAdd,
  receiveRemoval,
  sendAdd,
  sendRemoval,
} from './htlc-updates.js';
import { initialCommitments, withInitialSignature } from './initial-commitments.js';
import { MonitorGate } from './monitor-gate.js';
import { counterpartyCommitmentRecord, holderCommitmentRecord } from './monitor-records.js';
import {
  answerClosingSigned,
  type ClosingNegotiation,
  closingSignedFor,
  ourClosingFees,
  signedClosingTransaction,
} from './mutual-close.js';
import { channelReestablishFor, resume } from './reestablish.js';
import { shutdownScriptProblem } from './shutdown-script.js';

export type ChannelPhase =
  | 'awaitingAcceptChannel'
  | 'awaitingFundingTransaction'
  | 'awaitingFundingCreated'
  | 'awaitingFundingSigned'
  | 'awaitingChannelReady'
  | 'normal'
  | 'negotiatingClose'
  | 'closed';

/** Phases before the funding is signed: the channel is forgotten on disconnection (BOLT 2). */
const OPENING_PHASES: readonly ChannelPhase[] = [
  'awaitingAcceptChannel',
  'awaitingFundingTransaction',
  'awaitingFundingCreated',
  'awaitingFundingSigned',
];

export interface ChannelDeps {
  readonly config: ChannelConfig;
  readonly feerates: FeerateEstimates;
  readonly signer: ChannelSigner;
  readonly watch: ChannelWatch;
  readonly counterpartyNodeId: Uint8Array;
  /** Where monitors sweep our funds, and where a mutual close pays us unless told otherwise. */
  readonly destinationScript: Uint8Array;
}

/** An HTLC to offer; `ref` is the caller's handle, echoed in the outcome outputs. */
export interface OutgoingHtlc extends AddHtlcCommand {
  readonly ref: string;
}

export interface CreatedChannel {
  readonly channel: Channel;
  readonly outputs: ChannelOutput[];
}

type Connection = 'connected' | 'disconnected' | 'reestablishing';

const textEncoder = new TextEncoder();

export class Channel {
  readonly #deps: ChannelDeps;
  readonly #gate: MonitorGate;
  #feerates: FeerateEstimates;
  #phase: ChannelPhase;
  readonly #temporaryChannelId: Uint8Array;
  /** Our `open_channel`, while the opener waits for `accept_channel`. */
  #openChannel: OpenChannel | undefined;
  #terms: OpeningTerms | undefined;
  /** The opener's funding transaction, broadcast once the initial watch is durable. */
  #fundingTx: Transaction | undefined;
  #commitments: Commitments | undefined;
  #channelReadySent = false;
  #holdingCell: HeldUpdate[] = [];
  /** The caller's ref of each of our HTLCs, by id, until it is resolved. */
  readonly #outgoingRefs = new Map<bigint, string>();
  /** Preimages we claimed with, by hex payment hash. */
  readonly #claimedPreimages = new Map<string, Uint8Array>();
  #connection: Connection = 'connected';
  #localShutdownScript: Uint8Array | undefined;
  #remoteShutdownScript: Uint8Array | undefined;
  #closing: ClosingNegotiation | undefined;
  /** Outputs that bypass the gate in the current call (an `error`, a commitment broadcast). */
  #immediate: ChannelOutput[] = [];

  private constructor(deps: ChannelDeps, phase: ChannelPhase, temporaryChannelId: Uint8Array) {
    validateChannelConfig(deps.config);
    this.#feerates = validateFeerateEstimates(deps.feerates);
    this.#deps = deps;
    this.#gate = new MonitorGate(deps.watch);
    this.#phase = phase;
    this.#temporaryChannelId = temporaryChannelId;
  }

  /** Opens a channel we fund: sends `open_channel`. Refuses terms the peer would have to reject. */
  static open(deps: ChannelDeps, params: OpenChannelParams): CreatedChannel {
    checkOpenParams(params, deps.config);
    const channel = new Channel(deps, 'awaitingAcceptChannel', params.temporaryChannelId);
    const limits = holderLimits(deps.config, openerReserveSat(deps.config, params.fundingSat));
    channel.#openChannel = buildOpenChannel(deps.config, deps.signer, params, limits);
    return { channel, outputs: channel.#run(() => channel.#send(channel.#openChannel!)) };
  }

  /** Answers a peer's `open_channel`: `accept_channel`, or an `error` if it breaks a BOLT 2 rule. */
  static accept(deps: ChannelDeps, open: OpenChannel, upfrontShutdownScript?: Uint8Array): CreatedChannel {
    checkOwnShutdownScript(upfrontShutdownScript, deps.config, 'accept_channel.upfront_shutdown_script');
    const channel = new Channel(deps, 'awaitingFundingCreated', open.temporaryChannelId);
    const outputs = channel.#run(() => {
      channel.#terms = checkOpenChannel(open, deps.config, channel.#feerates, upfrontShutdownScript);
      channel.#send(buildAcceptChannel(channel.#terms, deps.signer));
    });
    return { channel, outputs };
  }

  get phase(): ChannelPhase {
    return this.#phase;
  }

  /** The temporary id until the funding outpoint is known, then the BOLT 2 `channel_id`. */
  get channelId(): Uint8Array {
    return this.#commitments?.channelId ?? this.#temporaryChannelId;
  }

  get commitments(): Commitments | undefined {
    return this.#commitments;
  }

  get holdingCell(): readonly HeldUpdate[] {
    return this.#holdingCell;
  }

  get claimedPreimages(): ReadonlyMap<string, Uint8Array> {
    return this.#claimedPreimages;
  }

  /** The last monitor update handed to the watch (0: the initial watch; -1: not watched yet). */
  get latestUpdateId(): number {
    return this.#gate.latestUpdateId;
  }

  /** Outputs waiting for monitor updates to complete. */
  get heldOutputs(): readonly ChannelOutput[] {
    return this.#gate.heldOutputs;
  }

  /** Our current commitment as the monitors record it. */
  holderCommitment(): HolderCommitment {
    return holderCommitmentRecord(this.#requireCommitments().localCommit);
  }

  /** The peer's commitments it may still broadcast, oldest first, as the monitors record them. */
  counterpartyCommitments(): CounterpartyCommitment[] {
    return unrevokedRemoteCommits(this.#requireCommitments()).map(counterpartyCommitmentRecord);
  }

  handleMessage(msg: WireMessage): ChannelOutput[] {
    this.#expectAddressedToUs(msg);
    if (this.#phase === 'closed') return [];
    if (this.#connection === 'disconnected') {
      throw new ValidationError('message', `received ${msg.type} while the peer is disconnected`);
    }
    return this.#run(() => this.#dispatch(msg));
  }

  /** The opener's wallet built the funding transaction asked for by `fundingRequired`. */
  fundingTransactionCreated(tx: Transaction, outputIndex: number): ChannelOutput[] {
    this.#expectPhaseForCommand('funding_created', 'awaitingFundingTransaction');
    const terms = this.#terms!;
    expectFundingOutput(tx, outputIndex, this.#fundingOutput(terms));
    const outpoint = { txid: txid(tx), vout: outputIndex };
    const { commitments, signature } = initialCommitments(terms, outpoint, this.#deps.signer);
    return this.#run(() => {
      this.#commitments = commitments;
      this.#fundingTx = tx;
      this.#phase = 'awaitingFundingSigned';
      this.#send({
        type: 'funding_created',
        temporaryChannelId: this.#temporaryChannelId,
        fundingTxid: outpoint.txid,
        fundingOutputIndex: outputIndex,
        signature,
      });
    });
  }

  /** The funding transaction is `depth` blocks deep: `channel_ready` once it reaches the minimum. */
  fundingDepthChanged(depth: number): ChannelOutput[] {
    expectUint(depth, 0xffff_ffff, 'depth');
    return this.#run(() => {
      if (this.#phase !== 'awaitingChannelReady' || this.#channelReadySent) return;
      if (depth < this.#terms!.minimumDepth) return;
      this.#channelReadySent = true;
      // Disconnected: `channel_reestablish` will have us send it.
      if (this.#connection === 'connected') this.#send(this.#channelReady());
      this.#becomeNormalIfReady();
    });
  }

  /** The watch made update `updateId` durable (0: the initial watch); releases what waited for it. */
  monitorUpdateCompleted(updateId: number): ChannelOutput[] {
    return this.#run(() => this.#gate.completed(updateId));
  }

  updateFeerateEstimates(feerates: FeerateEstimates): void {
    this.#feerates = validateFeerateEstimates(feerates);
  }

  addHtlc(htlc: OutgoingHtlc): ChannelOutput[] {
    const c = this.#expectCommandsAccepted('update_add_htlc');
    if (this.#localShutdownScript !== undefined || this.#remoteShutdownScript !== undefined) {
      throw new CommandRefused('update_add_htlc', 'the channel is shutting down');
    }
    const command: AddHtlcCommand = {
      amountMsat: htlc.amountMsat,
      paymentHash: htlc.paymentHash,
      cltvExpiry: htlc.cltvExpiry,
      onionRoutingPacket: htlc.onionRoutingPacket,
    };
    // Checked now even when held, so a malformed add is refused to the caller at once.
    const sent = sendAdd(c, command);
    return this.#run(() => {
      if (!this.#canSendUpdates()) {
        this.#holdingCell.push({ kind: 'add', command, ref: htlc.ref });
        return;
      }
      this.#commitments = sent.commitments;
      this.#outgoingRefs.set(sent.add.id, htlc.ref);
      this.#send(sent.add);
    });
  }

  /**
   * Claims the peer's HTLC `id`. The preimage goes to the monitors first (`paymentPreimage`): the
   * `update_fulfill_htlc` is released only once they can claim on-chain with it.
   */
  fulfillHtlc(id: bigint, paymentPreimage: Uint8Array): ChannelOutput[] {
    const removal = fulfillMessage(this.#expectCommandsAccepted('update_fulfill_htlc'), id, paymentPreimage);
    return this.#removeHtlc(removal, () => {
      this.#claimedPreimages.set(toHex(sha256(paymentPreimage)), paymentPreimage);
      this.#monitorUpdate({ kind: 'paymentPreimage', preimage: paymentPreimage });
    });
  }

  failHtlc(id: bigint, reason: Uint8Array): ChannelOutput[] {
    return this.#removeHtlc(failMessage(this.#expectCommandsAccepted('update_fail_htlc'), id, reason));
  }

  failMalformedHtlc(id: bigint, sha256OfOnion: Uint8Array, failureCode: number): ChannelOutput[] {
    const c = this.#expectCommandsAccepted('update_fail_malformed_htlc');
    return this.#removeHtlc(failMalformedMessage(c, id, sha256OfOnion, failureCode));
  }

  /** Changes the commitment feerate (funder only). */
  updateFee(feeratePerKw: number): ChannelOutput[] {
    const c = this.#expectCommandsAccepted('update_fee');
    const sent = sendFee(c, feeratePerKw);
    return this.#run(() => {
      if (!this.#canSendUpdates()) {
        this.#holdingCell.push({ kind: 'fee', feeratePerKw });
        return;
      }
      this.#commitments = sent.commitments;
      this.#send(sent.fee);
    });
  }

  /** Signs the updates sent so far (`commitment_signed`), unless we wait for a revocation. */
  commit(): ChannelOutput[] {
    this.#expectCommandsAccepted('commitment_signed');
    return this.#run(() => this.#signIfNeeded());
  }

  /** Starts a mutual close paying us to `scriptPubKey` (default: the upfront or destination script). */
  shutdown(scriptPubKey?: Uint8Array): ChannelOutput[] {
    this.#expectPhaseForCommand('shutdown', 'normal', 'awaitingChannelReady');
    if (this.#localShutdownScript !== undefined) throw new CommandRefused('shutdown', 'already sent');
    if (this.#connection !== 'connected') throw new CommandRefused('shutdown', 'the peer is not connected');
    const script = scriptPubKey ?? this.#terms!.holderUpfrontShutdownScript ?? this.#deps.destinationScript;
    checkOwnShutdownScript(script, this.#deps.config, 'shutdown.scriptpubkey');
    const upfront = this.#terms!.holderUpfrontShutdownScript;
    if (upfront !== undefined && !equalBytes(upfront, script)) {
      throw new CommandRefused('shutdown.scriptpubkey', 'differs from our upfront_shutdown_script');
    }
    return this.#run(() => this.#sendShutdown(script));
  }

  /** Fails the channel now: `channelForceClosed`, and our latest commitment, signed, to broadcast. */
  forceClose(): ChannelOutput[] {
    if (this.#phase === 'closed') throw new CommandRefused('forceClose', 'the channel is already closed');
    return this.#run(() => {
      this.#sendError('channel force-closed by its operator');
      this.#close({ kind: 'forceClosed' }, true);
    });
  }

  /** The transport closed: drop what the peer has not committed (BOLT 2), keep ours for later. */
  peerDisconnected(): ChannelOutput[] {
    if (this.#phase === 'closed' || this.#connection === 'disconnected') return [];
    return this.#run(() => {
      if (OPENING_PHASES.includes(this.#phase)) {
        this.#close({ kind: 'abandoned', problem: 'disconnected before the funding was signed' }, false);
        return;
      }
      this.#gate.discardMessages();
      this.#connection = 'disconnected';
      // BOLT 2: the peer forgets our updates it holds no signature for; we send them again later
      // from the holding cell (adds get their ids anew), and forget the peer's.
      const { commitments, ours } = dropUncommittedUpdates(this.#requireCommitments());
      this.#commitments = commitments;
      this.#holdingCell = [...ours.map((u) => this.#heldAgain(u)), ...this.#holdingCell];
      if (this.#closing !== undefined) this.#closing = { ...this.#closing, lastSentFeeSat: undefined };
    });
  }

  /** A new transport is up: send `channel_reestablish` and wait for the peer's. */
  peerConnected(): ChannelOutput[] {
    if (this.#phase === 'closed') return [];
    if (this.#connection !== 'disconnected')
      throw new ValidationError('connection', 'the peer is already connected');
    return this.#run(() => {
      this.#connection = 'reestablishing';
      // BOLT 2: the first message for the channel, whatever else waits for the monitors.
      this.#immediate.push({
        kind: 'send',
        message: channelReestablishFor(this.#requireCommitments(), this.#deps.signer),
      });
    });
  }

  // ---- Dispatch ----

  #dispatch(msg: WireMessage): void {
    if (
      this.#connection === 'reestablishing' &&
      !['channel_reestablish', 'error', 'warning'].includes(msg.type)
    ) {
      throw new ProtocolViolation(msg.type, 'sent before channel_reestablish (BOLT 2: it must come first)');
    }
    switch (msg.type) {
      case 'error':
        return this.#onPeerError(msg);
      case 'warning':
        return;
      case 'accept_channel':
        return this.#onAcceptChannel(msg);
      case 'funding_created':
        return this.#onFundingCreated(msg);
      case 'funding_signed':
        return this.#onFundingSigned(msg);
      case 'channel_ready':
        return this.#onChannelReady(msg);
      case 'channel_reestablish':
        return this.#onChannelReestablish(msg);
      case 'update_add_htlc':
        return this.#onAdd(msg);
      case 'update_fulfill_htlc':
      case 'update_fail_htlc':
      case 'update_fail_malformed_htlc':
        return this.#onRemoval(msg);
      case 'update_fee':
        return this.#onFee(msg);
      case 'commitment_signed':
        return this.#onCommitmentSigned(msg);
      case 'revoke_and_ack':
        return this.#onRevokeAndAck(msg);
      case 'shutdown':
        return this.#onShutdown(msg);
      case 'closing_signed':
        return this.#onClosingSigned(msg);
      default:
        throw new ValidationError('message.type', `${msg.type} is not a channel message`);
    }
  }

  #expectAddressedToUs(msg: WireMessage): void {
    const id =
      'temporaryChannelId' in msg ? msg.temporaryChannelId : 'channelId' in msg ? msg.channelId : undefined;
    if (id === undefined || msg.type === 'open_channel') {
      throw new ValidationError('message.type', `${msg.type} is not for an existing channel`);
    }
    const expected = 'temporaryChannelId' in msg ? this.#temporaryChannelId : this.channelId;
    // BOLT 1: an all-zero channel_id in `error` / `warning` means every channel with the peer.
    const toAll = (msg.type === 'error' || msg.type === 'warning') && id.every((b) => b === 0);
    if (!toAll && !equalBytes(id, expected)) {
      throw new ValidationError(`${msg.type}.channel_id`, 'is not this channel');
    }
  }

  #expectPhase(message: string, ...phases: ChannelPhase[]): void {
    if (!phases.includes(this.#phase))
      throw new ProtocolViolation(message, `unexpected while the channel is ${this.#phase}`);
  }

  // ---- Establishment ----

  #onAcceptChannel(msg: AcceptChannel): void {
    this.#expectPhase(msg.type, 'awaitingAcceptChannel');
    this.#terms = checkAcceptChannel(msg, this.#openChannel!, this.#deps.config);
    this.#openChannel = undefined;
    this.#phase = 'awaitingFundingTransaction';
    const output = this.#fundingOutput(this.#terms);
    this.#emit({ kind: 'fundingRequired', scriptPubKey: output.scriptPubKey, valueSat: output.valueSat });
  }

  #onFundingCreated(msg: FundingCreated): void {
    this.#expectPhase(msg.type, 'awaitingFundingCreated');
    const outpoint = { txid: msg.fundingTxid, vout: msg.fundingOutputIndex };
    const { commitments, signature } = initialCommitments(this.#terms!, outpoint, this.#deps.signer);
    this.#commitments = withInitialSignature(
      commitments,
      msg.signature,
      this.#deps.signer,
      'funding_created',
    );
    this.#startWatching();
    this.#send({ type: 'funding_signed', channelId: this.#commitments.channelId, signature });
  }

  #onFundingSigned(msg: FundingSigned): void {
    this.#expectPhase(msg.type, 'awaitingFundingSigned');
    const c = this.#requireCommitments();
    this.#commitments = withInitialSignature(c, msg.signature, this.#deps.signer, 'funding_signed');
    this.#startWatching();
    this.#emit({ kind: 'broadcast', tx: this.#fundingTx!, purpose: 'funding' });
  }

  /** Hands the new channel to the monitors; everything after waits until they hold it. */
  #startWatching(): void {
    const c = this.#requireCommitments();
    const terms = this.#terms!;
    this.#gate.watch(this.#monitorInit(c, terms));
    this.#phase = 'awaitingChannelReady';
    const { scriptPubKey, valueSat } = this.#fundingOutput(terms);
    this.#emit({
      kind: 'watchFunding',
      outpoint: c.params.fundingOutpoint,
      scriptPubKey,
      valueSat,
      minimumDepth: terms.minimumDepth,
    });
  }

  #monitorInit(c: Commitments, terms: OpeningTerms): ChannelMonitorInit {
    const shutdownScript = terms.holderUpfrontShutdownScript;
    return {
      channelId: c.channelId,
      counterpartyNodeId: this.#deps.counterpartyNodeId,
      parameters: c.params,
      secrets: this.#deps.signer.monitorSecrets(),
      destinationScript: this.#deps.destinationScript,
      ...(shutdownScript === undefined ? {} : { shutdownScript }),
      initialHolderCommitment: holderCommitmentRecord(c.localCommit),
      initialCounterpartyCommitment: counterpartyCommitmentRecord(c.remoteCommit),
    };
  }

  #fundingOutput(terms: OpeningTerms): TxOut {
    return fundingOutput(
      this.#deps.signer.pubkeys.fundingPubkey,
      terms.peer.pubkeys.fundingPubkey,
      terms.fundingSat,
    );
  }

  #channelReady(): ChannelReady {
    return {
      type: 'channel_ready',
      channelId: this.channelId,
      secondPerCommitmentPoint: this.#deps.signer.perCommitmentPoint(1),
      tlvs: {},
    };
  }

  #onChannelReady(msg: ChannelReady): void {
    // BOLT 2: a redundant channel_ready (after a reconnection) is ignored.
    if (this.#phase === 'normal' || this.#phase === 'negotiatingClose') return;
    this.#expectPhase(msg.type, 'awaitingChannelReady');
    expectPeerPoint(msg.secondPerCommitmentPoint, 'channel_ready.second_per_commitment_point');
    const c = this.#requireCommitments();
    this.#commitments = { ...c, remoteNext: { kind: 'nextPoint', point: msg.secondPerCommitmentPoint } };
    this.#becomeNormalIfReady();
  }

  #becomeNormalIfReady(): void {
    if (this.#phase !== 'awaitingChannelReady' || !this.#channelReadySent) return;
    if (this.#requireCommitments().remoteNext === undefined) return;
    this.#phase = 'normal';
    this.#emit({ kind: 'channelReady' });
    this.#negotiateCloseIfReady();
  }

  // ---- Normal operation ----

  #expectOperational(message: string): Commitments {
    this.#expectPhase(message, 'normal');
    return this.#requireCommitments();
  }

  #onAdd(msg: UpdateAddHtlc): void {
    const c = this.#expectOperational(msg.type);
    if (this.#remoteShutdownScript !== undefined) {
      throw new ProtocolViolation(
        'update_add_htlc',
        'sent after shutdown (BOLT 2: no new HTLCs once shutting down)',
      );
    }
    this.#commitments = receiveAdd(c, msg);
  }

  #onRemoval(msg: HtlcRemoval): void {
    const { commitments, htlc } = receiveRemoval(this.#expectOperational(msg.type), msg);
    this.#commitments = commitments;
    if (msg.type === 'update_fulfill_htlc') {
      const ref = this.#refOf(htlc.add.id);
      this.#emit({
        kind: 'outgoingHtlcFulfilled',
        ref,
        htlcId: htlc.add.id,
        paymentPreimage: msg.paymentPreimage,
      });
    }
  }

  #onFee(msg: UpdateFee): void {
    this.#commitments = receiveFee(this.#expectOperational(msg.type), msg, this.#feerates);
  }

  #onCommitmentSigned(msg: CommitmentSigned): void {
    const received = receiveCommitment(this.#expectOperational(msg.type), msg, this.#deps.signer);
    this.#commitments = received.commitments;
    this.#monitorUpdate(received.step);
    this.#send(received.revocation);
    this.#signIfNeeded();
    this.#negotiateCloseIfReady();
  }

  #onRevokeAndAck(msg: RevokeAndAck): void {
    const received = receiveRevocation(this.#expectOperational(msg.type), msg);
    this.#commitments = received.commitments;
    this.#monitorUpdate(received.step);
    for (const htlc of received.committedAdds) this.#emit({ kind: 'incomingHtlcCommitted', htlc });
    for (const removal of received.committedRemovals) this.#settleOutgoing(removal);
    this.#freeHoldingCell();
    this.#signIfNeeded();
    this.#negotiateCloseIfReady();
  }

  /** Our HTLC's removal is irrevocably committed: its ref is done; a failure is reported now. */
  #settleOutgoing(removal: HtlcRemoval): void {
    const ref = this.#refOf(removal.id);
    this.#outgoingRefs.delete(removal.id);
    if (removal.type === 'update_fulfill_htlc') return;
    this.#emit({
      kind: 'outgoingHtlcFailed',
      ref,
      htlcId: removal.id,
      failure: { kind: 'remote', message: removal },
    });
  }

  #refOf(id: bigint): string {
    const ref = this.#outgoingRefs.get(id);
    if (ref === undefined) throw new Error(`no caller ref for our HTLC ${id}`);
    return ref;
  }

  #canSendUpdates(): boolean {
    return this.#connection === 'connected' && !isWaitingForRevocation(this.#requireCommitments());
  }

  /** Sends what waited in the holding cell, now that we may. */
  #freeHoldingCell(): void {
    if (this.#holdingCell.length === 0 || !this.#canSendUpdates()) return;
    const freed = freeHoldingCell(this.#requireCommitments(), this.#holdingCell);
    this.#commitments = freed.commitments;
    this.#holdingCell = [];
    for (const [id, ref] of freed.addedRefs) this.#outgoingRefs.set(id, ref);
    for (const update of freed.sent) this.#send(update);
    for (const { update, error } of freed.refused) {
      if (update.kind === 'add') this.#failHeldAdd(update.ref, error.message);
      if (update.kind === 'fee')
        this.#emit({ kind: 'feeUpdateDropped', feeratePerKw: update.feeratePerKw, problem: error.message });
    }
  }

  #failHeldAdd(ref: string, problem: string): void {
    this.#emit({ kind: 'outgoingHtlcFailed', ref, htlcId: undefined, failure: { kind: 'local', problem } });
  }

  /** Sends `commitment_signed` if the peer's commitment lacks updates and we may sign. */
  #signIfNeeded(): void {
    const c = this.#requireCommitments();
    if (this.#connection !== 'connected' || c.remoteNext?.kind !== 'nextPoint' || !localHasChanges(c)) return;
    const sent = sendCommitment(c, this.#deps.signer);
    this.#commitments = sent.commitments;
    this.#monitorUpdate(sent.step);
    this.#send(sent.message);
  }

  /** Removes the peer's HTLC now, or queues the removal while we may not send; `before` runs first. */
  #removeHtlc(removal: HtlcRemoval, before: () => void = () => {}): ChannelOutput[] {
    const c = this.#requireCommitments();
    const next = sendRemoval(c, removal, heldRemovals(this.#holdingCell));
    return this.#run(() => {
      before();
      if (!this.#canSendUpdates()) {
        this.#holdingCell.push({ kind: 'removal', removal });
        return;
      }
      this.#commitments = next;
      this.#send(removal);
    });
  }

  #expectPhaseForCommand(command: string, ...phases: ChannelPhase[]): void {
    if (!phases.includes(this.#phase)) throw new CommandRefused(command, `the channel is ${this.#phase}`);
  }

  #expectCommandsAccepted(command: string): Commitments {
    this.#expectPhaseForCommand(command, 'normal');
    return this.#requireCommitments();
  }

  // ---- Reconnection ----

  #heldAgain(update: UpdateMessage): HeldUpdate {
    switch (update.type) {
      case 'update_add_htlc': {
        const ref = this.#refOf(update.id);
        this.#outgoingRefs.delete(update.id);
        const { amountMsat, paymentHash, cltvExpiry, onionRoutingPacket } = update;
        return { kind: 'add', command: { amountMsat, paymentHash, cltvExpiry, onionRoutingPacket }, ref };
      }
      case 'update_fee':
        return { kind: 'fee', feeratePerKw: update.feeratePerKw };
      default:
        return { kind: 'removal', removal: update };
    }
  }

  #onChannelReestablish(msg: ChannelReestablish): void {
    if (this.#connection !== 'reestablishing') {
      throw new ProtocolViolation(msg.type, 'unexpected: the channel is not reconnecting');
    }
    const resumption = resume(this.#requireCommitments(), msg, this.#deps.signer);
    this.#connection = 'connected';
    if (resumption.resendChannelReady && this.#channelReadySent) this.#send(this.#channelReady());
    for (const message of resumption.retransmit) this.#send(message);
    // BOLT 2: a shutdown we sent is sent again; closing negotiation restarts.
    if (this.#localShutdownScript !== undefined) this.#send(this.#shutdownMessage(this.#localShutdownScript));
    if (this.#phase === 'negotiatingClose') this.#proposeClosingFee();
    this.#freeHoldingCell();
    this.#signIfNeeded();
  }

  // ---- Close ----

  #shutdownMessage(script: Uint8Array): Shutdown {
    return { type: 'shutdown', channelId: this.channelId, scriptpubkey: script };
  }

  /**
   * Sends our `shutdown`, first signing any update the peer has not (BOLT 2: no shutdown with
   * updates pending on its commitment). HTLCs not yet offered never will be.
   */
  #sendShutdown(script: Uint8Array): void {
    this.#signIfNeeded();
    for (const held of this.#holdingCell)
      if (held.kind === 'add') this.#failHeldAdd(held.ref, 'the channel is shutting down');
    this.#holdingCell = this.#holdingCell.filter((held) => held.kind !== 'add');
    this.#localShutdownScript = script;
    // The monitors already know an upfront script; otherwise they learn it now.
    if (this.#terms!.holderUpfrontShutdownScript === undefined)
      this.#monitorUpdate({ kind: 'shutdownScript', script });
    this.#send(this.#shutdownMessage(script));
    this.#negotiateCloseIfReady();
  }

  #onShutdown(msg: Shutdown): void {
    if (this.#remoteShutdownScript !== undefined) {
      // A retransmission after a reconnection repeats the same script.
      if (equalBytes(this.#remoteShutdownScript, msg.scriptpubkey)) return;
      throw new ProtocolViolation('shutdown.scriptpubkey', 'differs from the shutdown the peer already sent');
    }
    this.#expectPhase(msg.type, 'normal', 'awaitingChannelReady');
    const problem = shutdownScriptProblem(msg.scriptpubkey, this.#deps.config.anySegwitShutdown);
    if (problem !== undefined) throw new ProtocolViolation('shutdown.scriptpubkey', problem);
    const upfront = this.#terms!.peer.upfrontShutdownScript;
    if (upfront !== undefined && !equalBytes(upfront, msg.scriptpubkey)) {
      throw new ProtocolViolation('shutdown.scriptpubkey', 'differs from the peer’s upfront_shutdown_script');
    }
    if (this.#requireCommitments().remoteChanges.proposed.length > 0) {
      throw new ProtocolViolation(
        'shutdown',
        'sent with updates the peer has not signed (BOLT 2: sign them first)',
      );
    }
    this.#remoteShutdownScript = msg.scriptpubkey;
    if (this.#localShutdownScript === undefined) {
      this.#sendShutdown(this.#terms!.holderUpfrontShutdownScript ?? this.#deps.destinationScript);
    }
    this.#negotiateCloseIfReady();
  }

  /** Both shutdowns sent and nothing left on either commitment: negotiate the closing fee. */
  #negotiateCloseIfReady(): void {
    const c = this.#requireCommitments();
    const holder = this.#localShutdownScript;
    const counterparty = this.#remoteShutdownScript;
    if (holder === undefined || counterparty === undefined || this.#phase === 'negotiatingClose') return;
    if (!isQuiescentAndEmpty(c) || this.#holdingCell.length > 0 || this.#connection !== 'connected') return;
    this.#phase = 'negotiatingClose';
    this.#closing = { scripts: { holder, counterparty }, lastSentFeeSat: undefined };
    this.#proposeClosingFee();
  }

  /** BOLT 2: the funder makes the first proposal. */
  #proposeClosingFee(): void {
    const c = this.#requireCommitments();
    if (!c.params.holderIsFunder) return;
    const negotiation = this.#closing!;
    const { range, preferredSat } = ourClosingFees(c, negotiation.scripts, this.#feerates);
    this.#send(closingSignedFor(c, negotiation.scripts, preferredSat, range, this.#deps.signer));
    this.#closing = { ...negotiation, lastSentFeeSat: preferredSat };
  }

  #onClosingSigned(msg: ClosingSigned): void {
    this.#expectPhase(msg.type, 'negotiatingClose');
    const c = this.#requireCommitments();
    const negotiation = this.#closing!;
    const { range } = ourClosingFees(c, negotiation.scripts, this.#feerates);
    const answer = answerClosingSigned(c, negotiation, msg, range);
    if (answer.kind === 'counter') {
      this.#send(closingSignedFor(c, negotiation.scripts, answer.feeSat, answer.range, this.#deps.signer));
      this.#closing = { ...negotiation, lastSentFeeSat: answer.feeSat };
      return;
    }
    const signed = signedClosingTransaction(c, answer.tx, answer.counterpartySignature, this.#deps.signer);
    if (answer.reply) {
      // Our signature of the very variant the peer signed, at its fee: agreement.
      this.#send({
        type: 'closing_signed',
        channelId: c.channelId,
        feeSatoshis: msg.feeSatoshis,
        signature: signed.holderSignature,
        tlvs: { feeRange: range },
      });
    }
    this.#emit({ kind: 'broadcast', tx: signed.tx, purpose: 'mutualClose' });
    this.#phase = 'closed';
    this.#emit({ kind: 'closed', reason: { kind: 'mutualClose' } });
  }

  #onPeerError(msg: ErrorMessage): void {
    // BOLT 1: an error fails the channel; there is nothing to answer.
    this.#close({ kind: 'peerError', data: msg.data }, true);
  }

  #sendError(text: string): void {
    const message: ErrorMessage = {
      type: 'error',
      channelId: this.channelId,
      data: textEncoder.encode(text),
    };
    this.#immediate.push({ kind: 'send', message });
  }

  #failChannel(violation: ProtocolViolation): void {
    this.#sendError(`${violation.field}: ${violation.problem}`);
    if (violation instanceof LocalDataLoss) {
      this.#close({ kind: 'localDataLoss', problem: violation.problem }, false);
    } else {
      this.#close({ kind: 'protocolViolation', field: violation.field, problem: violation.problem }, true);
    }
  }

  /**
   * Ends the channel: the monitors learn it is force-closed and, with `broadcast`, our commitment
   * goes out at once (it needs no monitor update: the peer signed it and we never revoked it).
   */
  #close(reason: CloseReason, broadcast: boolean): void {
    this.#gate.discardMessages();
    for (const held of this.#holdingCell)
      if (held.kind === 'add') this.#failHeldAdd(held.ref, `the channel closed (${reason.kind})`);
    this.#holdingCell = [];
    const c = this.#commitments;
    if (c !== undefined && this.#gate.latestUpdateId >= INITIAL_WATCH_ID) {
      this.#monitorUpdate({ kind: 'channelForceClosed', shouldBroadcast: broadcast });
      if (broadcast) {
        this.#immediate.push({
          kind: 'broadcast',
          tx: signedHolderCommitment(c, this.#deps.signer),
          purpose: 'holderCommitment',
        });
      }
    }
    this.#phase = 'closed';
    this.#emit({ kind: 'closed', reason });
  }

  // ---- Plumbing ----

  /** Runs one input: a peer's violation fails the channel; returns what may go out now. */
  #run(step: () => void): ChannelOutput[] {
    try {
      step();
    } catch (e) {
      if (!(e instanceof ProtocolViolation)) throw e;
      this.#failChannel(e);
    }
    const immediate = this.#immediate;
    this.#immediate = [];
    return [...immediate, ...this.#gate.release()];
  }

  #send(message: WireMessage): void {
    this.#gate.hold({ kind: 'send', message });
  }

  #emit(output: ChannelOutput): void {
    this.#gate.hold(output);
  }

  #monitorUpdate(...steps: ChannelMonitorUpdateStep[]): void {
    this.#gate.update(this.channelId, steps);
  }

  #requireCommitments(): Commitments {
    if (this.#commitments === undefined)
      throw new ValidationError('channel', `has no commitments while ${this.#phase}`);
    return this.#commitments;
  }
}
