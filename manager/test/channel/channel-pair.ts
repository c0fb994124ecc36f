/**
 * Two real channels wired to each other for tests: an opener (A) and an accepter (B), each with its
 * own keys, a watch that replays every monitor record into a `ChannelMonitor` (so each emitted
 * update must pass the monitor model's checks), and an in-order message queue per direction in
 * which every message is encoded and decoded, as a transport would carry it.
 */
import { secretsFrom as secretsFor } from '@vigil/test/fixtures/channel-fixture';
import { expect } from 'vitest';
import { toHex } from '@vigil/shared/bytes';
import { sha256 } from '@vigil/shared/bitcoin/hash';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import type { Transaction } from '@vigil/shared/bitcoin/tx';
import {
  ONION_PACKET_LENGTH,
  decodeMessage,
  encodeMessage,
  type WireMessage,
} from '@vigil/shared/ln/wire/index';
import { applyUpdate } from '@vigil/shared/monitor-model/apply-update';
import type { ChannelMonitor } from '@vigil/shared/monitor-model/channel-monitor';
import { createChannelMonitor, type ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import type {
  ChannelMonitorUpdate,
  ChannelMonitorUpdateStep,
} from '@vigil/shared/monitor-model/monitor-update';
import {
  Channel,
  type ChannelConfig,
  type ChannelDeps,
  type ChannelOutput,
  ChannelSigner,
  type ChannelWatch,
  DEFAULT_CHANNEL_CONFIG,
  type FeerateEstimates,
  type OpenChannelParams,
  type UpdateStatus,
} from '../../src/channel/index.js';

export const CHAIN_HASH = new Uint8Array(32).fill(0x0f);

export const FEERATES: FeerateEstimates = { minPerKw: 253, maxPerKw: 50_000, closingPerKw: 1000 };

export const CONFIG: ChannelConfig = { ...DEFAULT_CHANNEL_CONFIG, chainHash: CHAIN_HASH, minimumDepth: 3 };

/** Distinct, valid secrets per `tag` (the test fixture's). */
export { secretsFor };

/** A preimage and its hash, distinct per `n`. */
export function payment(n: number): { preimage: Uint8Array; paymentHash: Uint8Array } {
  const preimage = new Uint8Array(32);
  new DataView(preimage.buffer).setUint32(0, n);
  preimage[31] = 0xa5;
  return { preimage, paymentHash: sha256(preimage) };
}

export const ONION = new Uint8Array(ONION_PACKET_LENGTH).fill(2);

/**
 * A watch that applies every record to a ChannelMonitor at once (so an invalid one throws in the
 * channel's call) and answers `status` for each, remembering the ids still in progress. With a
 * `forward` watch (a real RemoteWatch), every record goes there instead, which validates it on its
 * own copy, and its answer is the status.
 */
export class ReplayingWatch implements ChannelWatch {
  monitor: ChannelMonitor | undefined;
  init: ChannelMonitorInit | undefined;
  readonly updates: ChannelMonitorUpdate[] = [];
  readonly inProgress: number[] = [];
  status: UpdateStatus = 'completed';

  constructor(private readonly forward?: ChannelWatch) {}

  watchChannel(init: ChannelMonitorInit): UpdateStatus {
    this.init = init;
    if (this.forward !== undefined) return this.#answer(0, this.forward.watchChannel(init));
    this.monitor = createChannelMonitor(init).monitor;
    return this.#answer(0, this.status);
  }

  updateChannel(update: ChannelMonitorUpdate): UpdateStatus {
    this.updates.push(update);
    if (this.forward !== undefined) return this.#answer(update.updateId, this.forward.updateChannel(update));
    this.monitor = applyUpdate(this.monitor!, update).monitor;
    return this.#answer(update.updateId, this.status);
  }

  #answer(id: number, status: UpdateStatus): UpdateStatus {
    if (status === 'inProgress') this.inProgress.push(id);
    return status;
  }
}

export class Peer {
  readonly signer: ChannelSigner;
  readonly deps: ChannelDeps;
  channel!: Channel;
  /** Every non-message output, in order. */
  readonly outputs: ChannelOutput[] = [];
  /** Messages to the other peer, in order. */
  readonly outbox: WireMessage[] = [];
  /** Every message type this peer ever sent, in order. */
  readonly sent: WireMessage['type'][] = [];

  readonly watch: ReplayingWatch;

  constructor(
    readonly name: string,
    tag: number,
    config: ChannelConfig = CONFIG,
    forwardTo?: ChannelWatch,
  ) {
    this.watch = new ReplayingWatch(forwardTo);
    this.signer = new ChannelSigner(secretsFor(tag));
    this.deps = {
      config,
      feerates: FEERATES,
      signer: this.signer,
      watch: this.watch,
      counterpartyNodeId: pubkeyFromPrivkey(new Uint8Array(32).fill(tag + 0x40)),
      destinationScript: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(tag)),
    };
  }

  /** Routes a call's outputs: messages to the outbox (through the codecs), the rest to `outputs`. */
  take(outputs: readonly ChannelOutput[]): ChannelOutput[] {
    for (const output of outputs) {
      this.#expectDependencyDurable(output);
      if (output.kind === 'send') {
        this.outbox.push(decodeMessage(encodeMessage(output.message)) as WireMessage);
        this.sent.push(output.message.type);
      } else this.outputs.push(output);
    }
    return [...outputs];
  }

  /** True when update `updateId` and every one before it completed. */
  isDurable(updateId: number): boolean {
    return this.watch.inProgress.every((pending) => pending > updateId);
  }

  /** The freeze, checked on every output any test sees: what it depends on is durable. */
  #expectDependencyDurable(output: ChannelOutput): void {
    const lastUpdate = (kind: string, matches: (step: ChannelMonitorUpdateStep) => boolean = () => true) =>
      this.watch.updates.findLast((u) => u.steps.some((step) => step.kind === kind && matches(step)))!
        .updateId;
    if (output.kind === 'broadcast' && output.purpose === 'funding') expect(this.isDurable(0)).toBe(true);
    if (output.kind !== 'send') return;
    const message = output.message;
    switch (message.type) {
      case 'funding_signed':
      case 'channel_ready':
        return expect(this.isDurable(0)).toBe(true);
      case 'commitment_signed':
        // At most one of our commitment_signed is unacknowledged: it signs the latest record.
        return expect(this.isDurable(lastUpdate('latestCounterpartyCommitment'))).toBe(true);
      case 'revoke_and_ack': {
        const latest = this.channel.commitments!.localCommit.index;
        // Newest first: the revoked commitment is almost always the one before the latest.
        let revoked = latest - 1;
        while (revoked > 0 && !this.signer.isCommitmentSecret(revoked, message.perCommitmentSecret))
          revoked--;
        const holder = lastUpdate(
          'latestHolderCommitment',
          (step) =>
            step.kind === 'latestHolderCommitment' && step.commitment.commitmentNumber === revoked + 1,
        );
        return expect(this.isDurable(holder)).toBe(true);
      }
      case 'update_fulfill_htlc': {
        const preimage = toHex(message.paymentPreimage);
        const claim = lastUpdate(
          'paymentPreimage',
          (step) => step.kind === 'paymentPreimage' && toHex(step.preimage) === preimage,
        );
        return expect(this.isDurable(claim)).toBe(true);
      }
    }
  }

  /** Completes every update in progress, in order. */
  completeAll(): void {
    while (this.watch.inProgress.length > 0) this.complete(this.watch.inProgress[0]!);
  }

  /** Tells the channel that update `updateId` (in progress) completed. */
  complete(updateId: number): void {
    const at = this.watch.inProgress.indexOf(updateId);
    if (at < 0) throw new Error(`update ${updateId} of ${this.name} is not in progress`);
    this.watch.inProgress.splice(at, 1);
    this.take(this.channel.monitorUpdateCompleted(updateId));
  }

  sentErrors(): string[] {
    return this.outbox
      .filter((m) => m.type === 'error')
      .map((m) => new TextDecoder().decode((m as { data: Uint8Array }).data));
  }
}

export interface PairOptions {
  readonly fundingSat?: bigint;
  readonly pushMsat?: bigint;
  readonly feeratePerKw?: number;
  readonly openerConfig?: ChannelConfig;
  readonly accepterConfig?: ChannelConfig;
  readonly upfrontShutdownScript?: Uint8Array;
  /** Stop once the funding is signed, before `channel_ready`. */
  readonly untilFunded?: boolean;
  /** A real watch the opener's records also go to, whose answers the opener gets. */
  readonly openerWatch?: ChannelWatch;
}

export const TEMPORARY_CHANNEL_ID = new Uint8Array(32).fill(0x7e);

export function openParams(options: PairOptions = {}): OpenChannelParams {
  return {
    temporaryChannelId: TEMPORARY_CHANNEL_ID,
    fundingSat: options.fundingSat ?? 1_000_000n,
    pushMsat: options.pushMsat ?? 400_000_000n,
    feeratePerKw: options.feeratePerKw ?? 1000,
    ...(options.upfrontShutdownScript === undefined
      ? {}
      : { upfrontShutdownScript: options.upfrontShutdownScript }),
  };
}

/** A funding transaction paying `scriptPubKey` (its input is never checked by the channel). */
export function fundingTransaction(scriptPubKey: Uint8Array, valueSat: bigint): Transaction {
  return {
    version: 2,
    inputs: [
      {
        prevout: { txid: sha256(Uint8Array.of(1)), vout: 0 },
        scriptSig: new Uint8Array(0),
        sequence: 0xffff_fffd,
        witness: [],
      },
    ],
    outputs: [
      { valueSat: 5000n, scriptPubKey: Uint8Array.of(0x00, 0x14, ...new Uint8Array(20).fill(9)) },
      { valueSat, scriptPubKey },
    ],
    locktime: 0,
  };
}

export class ChannelPair {
  readonly a: Peer;
  readonly b: Peer;

  constructor(options: PairOptions = {}) {
    this.a = new Peer('A', 0x11, options.openerConfig, options.openerWatch);
    this.b = new Peer('B', 0x22, options.accepterConfig);
  }

  other(peer: Peer): Peer {
    return peer === this.a ? this.b : this.a;
  }

  /** Delivers up to `count` of `from`'s queued messages to the other peer. */
  deliver(from: Peer, count = Infinity): void {
    const to = this.other(from);
    for (let i = 0; i < count && from.outbox.length > 0; i++)
      to.take(to.channel.handleMessage(from.outbox.shift()!));
  }

  /** Hands `message` to `to` as if the other peer had sent it; returns `to`'s outputs. */
  inject(to: Peer, message: WireMessage): ChannelOutput[] {
    return to.take(to.channel.handleMessage(message));
  }

  /** `from` offers an HTLC of `amountMsat` for payment `n`; it is committed on both sides. */
  addCommitted(from: Peer, amountMsat: bigint, n: number): bigint {
    const { paymentHash } = payment(n);
    const id = from.channel.commitments!.localNextHtlcId;
    from.take(
      from.channel.addHtlc({
        amountMsat,
        paymentHash,
        cltvExpiry: 800_000,
        onionRoutingPacket: ONION,
        ref: `${n}`,
      }),
    );
    from.take(from.channel.commit());
    this.deliverAll();
    return id;
  }

  /** The transport drops (with whatever was in flight) and comes back: both send `channel_reestablish`. */
  reconnect(): void {
    for (const peer of [this.a, this.b]) {
      peer.take(peer.channel.peerDisconnected());
      peer.outbox.length = 0;
    }
    for (const peer of [this.a, this.b]) peer.take(peer.channel.peerConnected());
  }

  /** Delivers in both directions until both queues are empty. */
  deliverAll(): void {
    while (this.a.outbox.length > 0 || this.b.outbox.length > 0) {
      this.deliver(this.a);
      this.deliver(this.b);
    }
  }

  /** Opens the channel through funding and `channel_ready`, every update completing at once. */
  /** Runs the opening up to A's `funding_created`, which stays in A's outbox undelivered. */
  static upToFundingCreated(options: PairOptions = {}): ChannelPair {
    const pair = new ChannelPair(options);
    const { a, b } = pair;
    const opened = Channel.open(a.deps, openParams(options));
    a.channel = opened.channel;
    a.take(opened.outputs);
    const accepted = Channel.accept(b.deps, a.outbox.shift() as Parameters<typeof Channel.accept>[1]);
    b.channel = accepted.channel;
    b.take(accepted.outputs);
    pair.deliver(b);
    const required = a.outputs.find((o) => o.kind === 'fundingRequired');
    if (required?.kind !== 'fundingRequired') throw new Error('no fundingRequired');
    a.take(
      a.channel.fundingTransactionCreated(fundingTransaction(required.scriptPubKey, required.valueSat), 1),
    );
    return pair;
  }

  static open(options: PairOptions = {}): ChannelPair {
    const pair = ChannelPair.upToFundingCreated(options);
    const { a, b } = pair;
    pair.deliverAll();
    if (options.untilFunded === true) return pair;
    a.take(a.channel.fundingDepthChanged(3));
    b.take(b.channel.fundingDepthChanged(3));
    pair.deliverAll();
    expect(a.channel.phase).toBe('normal');
    expect(b.channel.phase).toBe('normal');
    return pair;
  }

  /** Both sides' latest commitments are the ones the other signed (same number, same txid). */
  expectAgreement(): void {
    for (const [x, y] of [
      [this.a, this.b],
      [this.b, this.a],
    ] as const) {
      const local = x.channel.commitments!.localCommit;
      const signedByOther = y.channel
        .counterpartyCommitments()
        .find((c) => c.commitmentNumber === local.index);
      expect(signedByOther, `${x.name}'s commitment ${local.index} was signed by ${y.name}`).toBeDefined();
      expect(toHex(signedByOther!.txid)).toBe(toHex(local.txid));
    }
  }
}

/** The text of the `error` message among `outputs`. */
export function errorText(outputs: readonly ChannelOutput[]): string | undefined {
  for (const output of outputs) {
    if (output.kind === 'send' && output.message.type === 'error')
      return new TextDecoder().decode(output.message.data);
  }
  return undefined;
}

/**
 * `peer`'s channel failed on a broken rule matching `rule`: it sent an `error` naming it, told its
 * monitors it force-closed, and (once watched) returned its commitment to broadcast.
 */
export function expectFailed(peer: Peer, outputs: readonly ChannelOutput[], rule: RegExp): void {
  expect(errorText(outputs)).toMatch(rule);
  expect(peer.channel.phase).toBe('closed');
  if (peer.watch.monitor === undefined) return;
  expect(peer.watch.updates.at(-1)?.steps).toEqual([{ kind: 'channelForceClosed', shouldBroadcast: true }]);
  expect(outputs.some((o) => o.kind === 'broadcast' && o.purpose === 'holderCommitment')).toBe(true);
}
