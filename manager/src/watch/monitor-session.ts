/**
 * `MonitorSession`: the manager's side of the `Session` stream with one monitor (DESIGN.md "The
 * monitor protocol"; frames in proto/vigil/monitor/v1/monitor.proto). It carries what RemoteWatch
 * committed to the monitor and the monitor's acks back, and reconnects with exponential backoff
 * whenever the stream ends or fails, resuming from the next Welcome.
 *
 * Invariants:
 * - Rule 1: the Hello is the first frame, signed by the node key over the monitor id that
 *   GetStatus reported; nothing else is sent before the Welcome, whose monitor id must match.
 *   With a configured `monitorId` (which production configs pin), a monitor reporting any other
 *   id gets no Hello at all.
 * - Rule 2: after the Welcome every channel of RemoteWatch is caught up from the Welcome's
 *   position (`catchUp`), then kept current as RemoteWatch commits (`onPersisted`). Only committed
 *   records are sent (RemoteWatch bounds them by `persistedUpTo`).
 * - Rule 3: acks answer frames in the order sent, so each ack is checked against the oldest
 *   unanswered frame; at most the Welcome's `max_updates_in_flight` frames are unanswered.
 * - Rule 4: only PERSISTED counts toward the quorum (`recordPersisted`, with its receipt), as does
 *   the Welcome's position, which is the monitor's word for what it committed before (even when
 *   lower than what it acked: durability is never overstated), except on a locked-down channel,
 *   whose position may include updates stored after the lockdown. INVALID and
 *   REJECTED_AFTER_LOCKDOWN are recorded in the channel's health and never counted. A PERSISTED
 *   ack counts only if its receipt is the monitor key's signature over the state hash the
 *   manager computed for that frame: a monitor holding any other state is `diverged`.
 * - Events are acknowledged (cumulatively, in order) only after the EventInbox handled them (or
 *   found them handled already, reported by another monitor or before a reconnect).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import { createClient, type ServiceClient } from '@vigil/proto/grpc-bridge';
import { equalBytes, toHex } from '@vigil/shared/bytes';
import { pubkeyFromPrivkey } from '@vigil/shared/bitcoin/secp256k1';
import { HELLO_NONCE_BYTES, signHello } from '@vigil/shared/monitor-model/hello';
import { verifyReceipt } from '@vigil/shared/monitor-model/receipt';
import {
  toProtoChannelMonitor,
  toProtoCounterpartyCommitment,
} from '@vigil/shared/monitor-model/proto-codec';
import type { EventInbox } from './event-inbox.js';
import type { RemoteWatch } from './remote-watch.js';
import { type SentFrame, SessionStream, type UpdateFrame } from './session-stream.js';

/** How long GetStatus (which gives the monitor id the Hello signs) may take. */
const STATUS_TIMEOUT_MS = 5_000;

export interface MonitorSessionOptions {
  /** This monitor's id in RemoteWatch (one of its `monitorIds`). */
  readonly id: string;
  /** `host:port`. */
  readonly address: string;
  /** The monitor's identity key (33 bytes), when known: any other monitor is refused. */
  readonly monitorId?: Uint8Array;
  /** Default: insecure, for loopback only; otherwise `grpc.credentials.createSsl(...)`. */
  readonly credentials?: grpc.ChannelCredentials;
  /** The node key, 32 bytes: signs the Hello. */
  readonly nodeSecret: Uint8Array;
  readonly watch: RemoteWatch;
  /** Handles events (once across monitors); the monitor is told (EventAck) once it resolved. */
  readonly events: EventInbox;
  /** Reconnect delays: the first, doubled after each failed attempt up to the last. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

/** Where one channel stands on this monitor. */
export interface ChannelHealth {
  readonly channelId: Uint8Array;
  /** Last update id the monitor stored (Welcome or ack); undefined: it lacks the channel. */
  readonly position: number | undefined;
  /** `persistedUpTo` minus the position (a lacking monitor counts as -1). */
  readonly lag: number;
  /** `diverged`: an INVALID ack; `lockedDown`: the monitor is in lockdown for the channel. */
  readonly state: 'ok' | 'diverged' | 'lockedDown';
  /** Why, for `diverged` and `lockedDown`: the monitor's reason and detail. */
  readonly detail?: string;
}

export interface MonitorHealth {
  readonly id: string;
  /** A session is open (its Welcome arrived and it has not ended). */
  readonly connected: boolean;
  /** Why the last stream or attempt ended, if it failed. */
  readonly lastError: string | undefined;
  readonly channels: readonly ChannelHealth[];
}

interface ChannelStanding {
  channelId: Uint8Array;
  position: number | undefined;
  state: ChannelHealth['state'];
  detail?: string;
}

export class MonitorSession {
  private readonly client: ServiceClient<typeof pb.MonitorService.method>;
  private readonly standing = new Map<string, ChannelStanding>();
  private readonly stopListening: () => void;
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>;
  private stream: SessionStream | undefined;
  private lastError: string | undefined;
  /** The manager's node id, which receipts sign. */
  private readonly nodeId: Uint8Array;

  private constructor(private readonly options: MonitorSessionOptions) {
    this.nodeId = pubkeyFromPrivkey(options.nodeSecret);
    this.client = createClient(
      pb.MonitorService,
      options.address,
      options.credentials ?? grpc.credentials.createInsecure(),
    );
    this.stopListening = options.watch.onPersisted((channelId) => this.stream?.sendNewer(channelId));
    this.running = this.run();
  }

  /** Starts connecting (and reconnecting) until `close`. */
  static start(options: MonitorSessionOptions): MonitorSession {
    return new MonitorSession(options);
  }

  health(): MonitorHealth {
    const { watch } = this.options;
    const channels = watch.channelIds().map((channelId): ChannelHealth => {
      const s = this.standing.get(toHex(channelId));
      const position = s?.position;
      return {
        channelId,
        position,
        lag: watch.persistedUpTo(channelId) - (position ?? -1),
        state: s?.state ?? 'ok',
        ...(s?.detail === undefined ? {} : { detail: s.detail }),
      };
    });
    return {
      id: this.options.id,
      connected: this.stream?.open ?? false,
      lastError: this.lastError,
      channels,
    };
  }

  /** Ends the stream and stops reconnecting; frames not yet acked are resent by the next session. */
  async close(): Promise<void> {
    this.stopping.abort();
    this.stopListening();
    this.stream?.cancel();
    await this.running;
    this.client.channel.close();
  }

  private async run(): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 100, maxMs: 30_000 };
    let delay = initialMs;
    while (!this.stopping.signal.aborted) {
      const welcomed = await this.attempt();
      if (this.stopping.signal.aborted) return;
      if (welcomed) delay = initialMs;
      // Rejects only when `close` aborts the wait; the loop condition then ends the loop.
      await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      delay = Math.min(delay * 2, maxMs);
    }
  }

  /** One session, from GetStatus to the stream's end; resolves whether it got its Welcome. */
  private async attempt(): Promise<boolean> {
    let monitorKey: Uint8Array;
    try {
      const status = await this.client.getStatus({}, { deadline: Date.now() + STATUS_TIMEOUT_MS });
      monitorKey = status.monitorId;
    } catch (e) {
      this.lastError = `getStatus: ${e instanceof Error ? e.message : String(e)}`;
      return false;
    }
    const pinned = this.options.monitorId;
    if (pinned !== undefined && !equalBytes(monitorKey, pinned)) {
      this.lastError = `getStatus.monitorId: ${toHex(monitorKey)} is not the configured monitor ${toHex(pinned)}`;
      return false;
    }
    if (this.stopping.signal.aborted) return false;
    const stream: SessionStream = new SessionStream(this.client.session(), {
      onWelcome: (welcome) => this.welcome(stream, monitorKey, welcome),
      onAck: (frame, ack) => this.ack(monitorKey, frame, ack),
      onEvent: async (sequence, event) => {
        await this.options.events.receive(this.options.id, sequence, event);
      },
      catchUp: (channelId, position) => this.catchUpFrames(channelId, position),
      persistedUpTo: (channelId) => this.options.watch.persistedUpTo(channelId),
    });
    this.stream = stream;
    stream.write({
      frame: {
        case: 'hello',
        value: signHello(
          this.options.nodeSecret,
          monitorKey,
          BigInt(Date.now()),
          new Uint8Array(randomBytes(HELLO_NONCE_BYTES)),
        ),
      },
    });
    this.lastError = await stream.ended;
    return stream.welcomed;
  }

  private async welcome(stream: SessionStream, monitorKey: Uint8Array, welcome: pb.Welcome): Promise<void> {
    if (!equalBytes(welcome.monitorId, monitorKey)) {
      throw new Error(
        `welcome.monitorId: ${toHex(welcome.monitorId)} is not the id GetStatus gave (${toHex(monitorKey)})`,
      );
    }
    const { watch, id } = this.options;
    const cursors = new Map(welcome.channels.map((c) => [toHex(c.channelId), c]));
    for (const channelId of watch.channelIds()) {
      const key = toHex(channelId);
      const cursor = cursors.get(key);
      const position = cursor === undefined ? undefined : Number(cursor.latestUpdateId);
      const lockedDown = cursor?.lockedDown === true;
      this.standing.set(key, { channelId, position, state: lockedDown ? 'lockedDown' : 'ok' });
      const upTo = watch.persistedUpTo(channelId);
      if (position !== undefined && position > upTo) {
        this.diverged(key, `welcome.channels: the monitor is at ${position}, beyond the outbox (${upTo})`);
        continue;
      }
      if (position !== undefined && !lockedDown) await watch.recordPersisted(id, channelId, position);
      await stream.sendCatchUp(channelId, position);
    }
  }

  private async catchUpFrames(channelId: Uint8Array, position: number | undefined): Promise<UpdateFrame[]> {
    const catchUp = await this.options.watch.catchUp(channelId, position);
    switch (catchUp.kind) {
      case 'upToDate':
        return [];
      case 'updates':
        // The stored canonical bytes, sent as stored: a repeat must match them byte for byte.
        return catchUp.updates.map((u) => ({
          frame: { frame: { case: 'update', value: pb.fromBinary(pb.ChannelMonitorUpdateSchema, u.bytes) } },
          updateId: u.updateId,
          stateHash: u.stateHash,
        }));
      case 'snapshot':
        return [
          {
            frame: {
              frame: {
                case: 'watchChannel',
                value: {
                  monitor: { case: 'snapshot', value: toProtoChannelMonitor(catchUp.monitor) },
                  counterpartyCommitments: catchUp.counterpartyCommitments.map((c) =>
                    toProtoCounterpartyCommitment(c),
                  ),
                },
              },
            },
            updateId: catchUp.monitor.latestUpdateId,
            stateHash: catchUp.stateHash,
          },
        ];
    }
  }

  private async ack(monitorKey: Uint8Array, frame: SentFrame, ack: pb.UpdateAck): Promise<void> {
    const { channelId, updateId } = frame;
    const key = toHex(channelId);
    const standing = this.standing.get(key) ?? { channelId, position: undefined, state: 'ok' };
    this.standing.set(key, standing);
    switch (ack.status) {
      case pb.UpdateStatus.PERSISTED:
        if (!equalBytes(ack.stateHash, frame.stateHash)) {
          return this.diverged(
            key,
            `updateAck.stateHash: ${toHex(ack.stateHash)} after update ${updateId}, but the manager's state hashes to ${toHex(frame.stateHash)}`,
          );
        }
        if (!this.receiptMatches(monitorKey, frame, ack.receipt)) {
          return this.diverged(key, `updateAck.receipt: not the monitor's signature over update ${updateId}`);
        }
        standing.position = updateId;
        if (standing.state === 'diverged') standing.state = 'ok';
        await this.options.watch.recordPersisted(this.options.id, channelId, updateId, ack.receipt);
        return;
      case pb.UpdateStatus.REJECTED_AFTER_LOCKDOWN:
        // Stored, so the monitor holds it, but it will not act on it: never counted.
        standing.position = updateId;
        standing.state = 'lockedDown';
        standing.detail = ack.detail;
        return;
      default:
        this.diverged(key, `${pb.InvalidReason[ack.reason]}: ${ack.detail}`);
    }
  }

  private receiptMatches(monitorKey: Uint8Array, frame: SentFrame, receipt: Uint8Array): boolean {
    const fields = {
      nodeId: this.nodeId,
      channelId: frame.channelId,
      updateId: BigInt(frame.updateId),
      stateHash: frame.stateHash,
    };
    try {
      return verifyReceipt(monitorKey, fields, receipt);
    } catch {
      return false; // Not even a well-formed signature.
    }
  }

  private diverged(key: string, detail: string): void {
    const standing = this.standing.get(key);
    if (standing === undefined) return;
    standing.state = 'diverged';
    standing.detail = detail;
  }
}
