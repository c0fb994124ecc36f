/**
 * One `Session` stream of a `MonitorSession` (DESIGN.md "The monitor protocol"; frames in
 * proto/vigil/monitor/v1/monitor.proto): dispatches the monitor's frames and paces what is sent.
 * It ends with the stream; the next session starts a new one from its own Welcome.
 *
 * Invariants:
 * - Sends run one after another (the Welcome's catch-up, then each newly committed record), so
 *   a channel's frames leave in update id order and `sent` is the highest one on this stream.
 * - Acks and events are handled one after another on their own chain, in arrival order: an ack
 *   must answer the oldest unanswered frame (rule 3), and a send waiting for an in-flight slot is
 *   freed by an ack, so the two chains never wait on each other.
 * - Any failure (an unexpected frame, a handler that throws) cancels the stream: nothing is sent
 *   on a stream whose state is in doubt.
 */
import * as grpc from '@grpc/grpc-js';
import type * as pb from '@vigil/proto';
import { equalBytes, toHex } from '@vigil/shared/bytes';
import type { MonitorEvent } from '@vigil/shared/monitor-model/monitor-event';
import { fromProtoMonitorEvent } from '@vigil/shared/monitor-model/proto-codec';

export type ClientFrameInit = pb.MessageInitShape<typeof pb.ClientFrameSchema>;

/** A `WatchChannel` or `Update` frame, the update id its ack will carry and the state it leads to. */
export interface UpdateFrame {
  readonly frame: ClientFrameInit;
  readonly updateId: number;
  /** SHA256 of the canonical ChannelMonitor after this frame: what the ack's receipt signs. */
  readonly stateHash: Uint8Array;
}

/** A frame sent and not yet acked. */
export interface SentFrame {
  readonly channelId: Uint8Array;
  readonly updateId: number;
  readonly stateHash: Uint8Array;
}

export interface StreamHandlers {
  /** Runs on the send chain: may call `sendCatchUp`. */
  readonly onWelcome: (welcome: pb.Welcome) => Promise<void>;
  /** `frame` is the sent frame `ack` answers (same channel and update id). */
  readonly onAck: (frame: SentFrame, ack: pb.UpdateAck) => Promise<void>;
  readonly onEvent: (sequence: bigint, event: MonitorEvent) => Promise<void> | void;
  /** The frames that bring a monitor at `position` (undefined: lacking the channel) up to date. */
  readonly catchUp: (channelId: Uint8Array, position: number | undefined) => Promise<UpdateFrame[]>;
  readonly persistedUpTo: (channelId: Uint8Array) => number;
}

export class SessionStream {
  /** The Welcome arrived (even if the stream has ended since). */
  welcomed = false;
  /** Resolves when the stream ended: undefined if it ended OK, else why. */
  readonly ended: Promise<string | undefined>;
  private done = false;
  private failure: string | undefined;
  private errorFrame: string | undefined;
  private maxInFlight = 1;
  /** Frames sent and not yet acked, oldest first. */
  private readonly inFlight: SentFrame[] = [];
  private slotFreed: (() => void) | undefined;
  /** channel (hex) -> highest update id sent on this stream (or the Welcome's position). */
  private readonly sent = new Map<string, number>();
  private sends: Promise<void> = Promise.resolve();
  private receipts: Promise<void> = Promise.resolve();

  constructor(
    private readonly call: grpc.ClientDuplexStream<ClientFrameInit, pb.ServerFrame>,
    private readonly handlers: StreamHandlers,
  ) {
    call.on('data', (frame: pb.ServerFrame) => this.receive(frame));
    // A non-OK status is also emitted as 'error'; 'status' reports it.
    call.on('error', () => undefined);
    this.ended = new Promise((resolve) =>
      call.on('status', (status: grpc.StatusObject) => {
        this.done = true;
        this.slotFreed?.();
        const ending =
          status.code === grpc.status.OK ? undefined : `${grpc.status[status.code]}: ${status.details}`;
        resolve(this.failure ?? this.errorFrame ?? ending);
      }),
    );
  }

  /** The Welcome arrived and the stream has not ended. */
  get open(): boolean {
    return this.welcomed && !this.done;
  }

  write(frame: ClientFrameInit): void {
    if (!this.done) this.call.write(frame);
  }

  cancel(): void {
    this.call.cancel();
  }

  /** Sends what RemoteWatch committed for `channelId` beyond what this stream sent. */
  sendNewer(channelId: Uint8Array): void {
    if (!this.open) return; // The Welcome's catch-up covers it.
    this.onSendChain(async () => {
      const sent = this.sent.get(toHex(channelId));
      if (sent !== undefined && sent >= this.handlers.persistedUpTo(channelId)) return;
      await this.sendCatchUp(channelId, sent);
    });
  }

  /** Brings the monitor from `position` up to what is committed (call on the send chain). */
  async sendCatchUp(channelId: Uint8Array, position: number | undefined): Promise<void> {
    const key = toHex(channelId);
    if (position !== undefined) this.sent.set(key, position);
    if (this.handlers.persistedUpTo(channelId) < 0) return; // Not committed yet: `sendNewer` sends it.
    for (const { frame, updateId, stateHash } of await this.handlers.catchUp(channelId, position)) {
      while (this.inFlight.length >= this.maxInFlight && !this.done)
        await new Promise<void>((resolve) => (this.slotFreed = resolve));
      if (this.done) return;
      this.inFlight.push({ channelId, updateId, stateHash });
      this.call.write(frame);
      this.sent.set(key, updateId);
    }
  }

  private receive(frame: pb.ServerFrame): void {
    switch (frame.frame.case) {
      case 'welcome': {
        const welcome = frame.frame.value;
        if (this.welcomed) return this.fail('welcome: a second Welcome on one session');
        this.welcomed = true;
        // A limit of 0 would stall every send; one frame at a time is always allowed.
        this.maxInFlight = Math.max(1, welcome.limits?.maxUpdatesInFlight ?? 1);
        return this.onSendChain(() => this.handlers.onWelcome(welcome));
      }
      case 'updateAck': {
        const ack = frame.frame.value;
        return this.onReceiptChain(() => this.acked(ack));
      }
      case 'event': {
        const event = frame.frame.value;
        return this.onReceiptChain(async () => {
          if (event.event === undefined) throw new Error(`event.event: missing in event ${event.sequence}`);
          await this.handlers.onEvent(event.sequence, fromProtoMonitorEvent(event.event));
          this.write({ frame: { case: 'eventAck', value: { sequence: event.sequence } } });
        });
      }
      case 'error':
        this.errorFrame = `${grpc.status[frame.frame.value.code]}: ${frame.frame.value.message}`;
        return;
      case undefined:
        return this.fail('frame: no case set');
    }
  }

  private async acked(ack: pb.UpdateAck): Promise<void> {
    const expected = this.inFlight.shift();
    if (expected === undefined) throw new Error('updateAck: no frame is waiting for an ack');
    if (!equalBytes(ack.channelId, expected.channelId) || Number(ack.updateId) !== expected.updateId) {
      throw new Error(
        `updateAck.updateId: ${toHex(ack.channelId)}:${ack.updateId} answers none of the frames sent; expected ${toHex(expected.channelId)}:${expected.updateId}`,
      );
    }
    this.slotFreed?.();
    await this.handlers.onAck(expected, ack);
  }

  private onSendChain(step: () => Promise<void>): void {
    this.sends = this.sends.then(() => (this.done ? undefined : step())).catch((e) => this.fail(e));
  }

  private onReceiptChain(step: () => Promise<void>): void {
    this.receipts = this.receipts.then(() => (this.done ? undefined : step())).catch((e) => this.fail(e));
  }

  private fail(reason: unknown): void {
    this.failure ??= reason instanceof Error ? reason.message : String(reason);
    this.call.cancel();
  }
}
