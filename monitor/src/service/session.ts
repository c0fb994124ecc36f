/**
 * One `MonitorService.Session` stream (proto/vigil/monitor/v1/monitor.proto; DESIGN.md "The
 * monitor protocol"), through its states: `hello` (waiting for the Hello), `authenticating`,
 * `open`, then `closed`.
 *
 * Before the Welcome only the Hello is read: anything else ends the stream, so an unauthenticated
 * peer can make the monitor hold at most one frame. Once open, frames are handled strictly in the
 * order they arrived, one at a time: each WatchChannel or Update is answered by its UpdateAck
 * after its commit, and a frame that ends the session (one that does not parse, a second Hello)
 * takes effect in its turn, after the acks of the frames before it. The one exception is a
 * WatchChannel or Update beyond the in-flight limit: it is answered QUOTA_EXCEEDED at once, so
 * what the session holds stays bounded.
 *
 * A session that ends says why in an Error frame and then the same gRPC status. Nothing the
 * session was still holding is acked, which tells the tenant to resend it.
 */
import { status } from '@grpc/grpc-js';
import type * as grpc from '@grpc/grpc-js';
import * as pb from '@vigil/proto';
import type { Received } from '@vigil/proto/grpc-bridge';
import { toHex } from '@vigil/shared/bytes';
import type { Database } from '@vigil/shared/db/database';
import { VigilError } from '@vigil/shared/errors';
import type { Logger } from '@vigil/shared/log/logger';
import { rejectUnknownFields } from '@vigil/shared/monitor-model/proto-fields';
import { type ChannelCursor, channelCursors } from '../store/channel-store.js';
import type { OutboxEvent } from '../store/event-outbox.js';
import { ensureUsageRow } from '../store/tenant-usage.js';
import { type AckIds, type AckInit, invalidAck } from './acks.js';
import { type ChannelWriter, updateIds } from './channel-writer.js';
import { EventFeed } from './event-feed.js';
import { admitHello, type HelloPolicy } from './hello.js';
import { type Limits, sessionLimits } from './limits.js';
import type { TenantRates, TokenBucket } from './rate-limit.js';
import { SessionError } from './session-error.js';
import type { Tenant } from './tenants.js';
import { watchIds } from './watch-frame.js';

export type ServerFrameInit = pb.MessageInitShape<typeof pb.ServerFrameSchema>;
export type SessionCall = grpc.ServerDuplexStream<Received<pb.ClientFrame>, ServerFrameInit>;

export interface SessionContext {
  readonly db: Database;
  readonly hello: HelloPolicy;
  readonly writer: ChannelWriter;
  readonly rates: TenantRates;
  readonly limits: Limits;
  /** A session that has not sent its Hello by then is ended. */
  readonly helloTimeoutMs: number;
  readonly log: Logger;
}

type SessionState = 'hello' | 'authenticating' | 'open' | 'closed';

/** A frame that is not a Hello, as a set case of ClientFrame.frame. */
type ClientFrameCase = Exclude<pb.ClientFrame['frame'], { case: undefined }>;

/** What the open session does next, in arrival order. */
type WorkItem =
  | { readonly kind: 'update'; readonly message: pb.ChannelMonitorUpdate }
  | { readonly kind: 'watch'; readonly message: pb.WatchChannel }
  | { readonly kind: 'eventAck'; sequence: bigint }
  | { readonly kind: 'end' }
  | { readonly kind: 'fail'; readonly error: SessionError };

const invalidArgument = (message: string) => new SessionError(status.INVALID_ARGUMENT, message);

/** The frame's set case; throws INVALID_ARGUMENT for bytes that are not a ClientFrame we know. */
function readFrame(received: Received<pb.ClientFrame>): ClientFrameCase {
  if (!received.ok) throw invalidArgument(`frame: ${received.problem}`);
  const { frame, $unknown } = received.message;
  const unknown = $unknown?.[0];
  if (unknown !== undefined) {
    throw invalidArgument(`frame: unknown field number ${unknown.no} in ${pb.ClientFrameSchema.typeName}`);
  }
  if (frame.case === undefined) {
    throw invalidArgument('frame: expected one of hello, watchChannel, update, eventAck, got none');
  }
  return frame;
}

/** Throws INVALID_ARGUMENT if a Hello or EventAck carries fields this monitor does not know. */
function expectKnownFields(...[schema, message, path]: Parameters<typeof rejectUnknownFields>): void {
  try {
    rejectUnknownFields(schema, message, path);
  } catch (e) {
    if (e instanceof VigilError) throw invalidArgument(e.message);
    throw e;
  }
}

function welcomeFrame(
  monitorId: Uint8Array,
  channels: readonly ChannelCursor[],
  limits: pb.SessionLimits,
): ServerFrameInit {
  return { frame: { case: 'welcome', value: { monitorId, channels: [...channels], limits } } };
}

function eventFrame(event: OutboxEvent): ServerFrameInit {
  const message = pb.fromBinary(pb.MonitorEventSchema, event.event);
  return { frame: { case: 'event', value: { sequence: event.sequence, event: message } } };
}

export class Session {
  #state: SessionState = 'hello';
  #queue: WorkItem[] = [];
  /** WatchChannels and Updates received and not yet acked. */
  #inFlight = 0;
  /** The Hello being checked, and the frames being handled: awaited before the session is done. */
  #authenticating: Promise<void> | undefined;
  #working: Promise<void> | undefined;
  /** Shutting down: frames that arrive now are not handled (and so not acked). */
  #draining = false;
  #tenant: Tenant | undefined;
  #rate: TokenBucket | undefined;
  #feed: EventFeed | undefined;
  #log: Logger;
  readonly #helloTimer: NodeJS.Timeout;
  readonly #done: Promise<void>;
  #markDone: () => void = () => {};

  constructor(
    private readonly call: SessionCall,
    private readonly ctx: SessionContext,
  ) {
    this.#log = ctx.log.child({ peer: call.getPeer() });
    this.#done = new Promise((resolve) => (this.#markDone = resolve));
    this.#helloTimer = setTimeout(
      () =>
        this.#fail(
          new SessionError(
            status.UNAUTHENTICATED,
            `hello: the session did not open within ${ctx.helloTimeoutMs} ms`,
          ),
        ),
      ctx.helloTimeoutMs,
    );
    call.on('data', (received: Received<pb.ClientFrame>) => this.#receive(received));
    call.on('end', () => (this.#state === 'open' ? this.#enqueue({ kind: 'end' }) : this.#finish()));
    call.on('cancelled', () => this.#close('cancelled by the client'));
  }

  /** The tenant, once the session is open. */
  get tenant(): Tenant | undefined {
    return this.#tenant;
  }

  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** Resolves when the session has closed and nothing it started is still running. */
  get done(): Promise<void> {
    return this.#done;
  }

  /** New events are in the tenant's outbox. */
  notifyEvents(): void {
    void this.#feed?.pump().catch((e: unknown) => this.#fail(this.#sessionErrorOf(e)));
  }

  /** Shutdown: handles the frames already received, then ends the session with UNAVAILABLE. */
  drain(): Promise<void> {
    const error = new SessionError(
      status.UNAVAILABLE,
      'the monitor is shutting down; resend what was not acked when it is back',
    );
    if (this.#state === 'open') {
      this.#draining = true;
      this.#enqueue({ kind: 'fail', error });
    } else {
      this.#fail(error);
    }
    return this.#done;
  }

  #receive(received: Received<pb.ClientFrame>): void {
    switch (this.#state) {
      case 'hello':
        return this.#onHello(received);
      case 'authenticating':
        return this.#fail(
          new SessionError(status.FAILED_PRECONDITION, 'frame: sent before the Welcome; wait for it'),
        );
      case 'open':
        if (!this.#draining) this.#onFrame(received);
        return;
      case 'closed':
        // The session is ending with a status: the client knows this frame was not handled.
        return;
    }
  }

  #onHello(received: Received<pb.ClientFrame>): void {
    let hello: pb.Hello;
    try {
      const frame = readFrame(received);
      if (frame.case !== 'hello') {
        throw new SessionError(
          status.FAILED_PRECONDITION,
          `frame.${frame.case}: the first frame must be a hello`,
        );
      }
      expectKnownFields(pb.HelloSchema, frame.value, 'frame.hello');
      hello = frame.value;
    } catch (e) {
      return this.#fail(this.#sessionErrorOf(e));
    }
    this.#state = 'authenticating';
    this.#authenticating = this.#authenticate(hello).catch((e: unknown) =>
      this.#fail(this.#sessionErrorOf(e)),
    );
  }

  async #authenticate(hello: pb.Hello): Promise<void> {
    const tenant = await admitHello(hello, this.ctx.hello);
    await ensureUsageRow(this.ctx.db, tenant.nodeId);
    const channels = await channelCursors(this.ctx.db, tenant.nodeId);
    if (this.#state !== 'authenticating') return;
    this.#open(tenant, channels);
    this.notifyEvents();
  }

  #open(tenant: Tenant, channels: readonly ChannelCursor[]): void {
    clearTimeout(this.#helloTimer);
    this.#state = 'open';
    this.#tenant = tenant;
    this.#rate = this.ctx.rates.bucketOf(tenant);
    this.#log = this.#log.child({ tenant: tenant.hex });
    const limits = sessionLimits(this.ctx.limits, tenant.limits);
    this.#write(welcomeFrame(this.ctx.hello.monitorId, channels, limits));
    this.#feed = new EventFeed(
      this.ctx.db,
      tenant.nodeId,
      (event) => this.#state === 'open' && this.#write(eventFrame(event)),
    );
    this.#log.info({ channels: channels.length }, 'session open');
  }

  #onFrame(received: Received<pb.ClientFrame>): void {
    let frame: ClientFrameCase;
    try {
      frame = readFrame(received);
      if (frame.case === 'hello')
        throw new SessionError(status.FAILED_PRECONDITION, 'frame.hello: the session is already open');
      if (frame.case === 'eventAck') expectKnownFields(pb.EventAckSchema, frame.value, 'frame.eventAck');
    } catch (e) {
      return this.#enqueue({ kind: 'fail', error: this.#sessionErrorOf(e) });
    }
    switch (frame.case) {
      case 'eventAck':
        return this.#enqueueEventAck(frame.value.sequence);
      case 'update':
        return this.#admit({ kind: 'update', message: frame.value }, updateIds(frame.value));
      case 'watchChannel':
        return this.#admit({ kind: 'watch', message: frame.value }, watchIds(frame.value));
    }
  }

  /** Queues a WatchChannel or Update, or refuses it at once beyond the in-flight limit. */
  #admit(item: WorkItem, ids: AckIds): void {
    const max = this.ctx.limits.maxUpdatesInFlight;
    if (this.#inFlight >= max) {
      const detail = `quota.updatesInFlight: more than ${max} WatchChannel and Update frames unacked on this stream`;
      return this.#sendAck(invalidAck(ids, pb.InvalidReason.QUOTA_EXCEEDED, detail));
    }
    this.#inFlight++;
    this.#enqueue(item);
  }

  /** Acks are cumulative, so one waiting behind another is merged into it. */
  #enqueueEventAck(sequence: bigint): void {
    const last = this.#queue[this.#queue.length - 1];
    if (last?.kind === 'eventAck') last.sequence = last.sequence > sequence ? last.sequence : sequence;
    else this.#enqueue({ kind: 'eventAck', sequence });
  }

  #enqueue(item: WorkItem): void {
    this.#queue.push(item);
    this.#working ??= this.#work().finally(() => (this.#working = undefined));
  }

  async #work(): Promise<void> {
    for (
      let item = this.#queue.shift();
      item !== undefined && this.#state === 'open';
      item = this.#queue.shift()
    ) {
      try {
        await this.#handle(item);
      } catch (e) {
        this.#fail(this.#sessionErrorOf(e));
      }
    }
  }

  async #handle(item: WorkItem): Promise<void> {
    switch (item.kind) {
      case 'update':
      case 'watch': {
        const ack = await this.#answer(item);
        this.#inFlight--;
        return this.#sendAck(ack);
      }
      case 'eventAck':
        return this.#feed!.ack(item.sequence);
      case 'end':
        return this.#finish();
      case 'fail':
        return this.#fail(item.error);
    }
  }

  #answer(item: Extract<WorkItem, { kind: 'update' | 'watch' }>): Promise<AckInit> {
    const tenant = this.#tenant!;
    if (!this.#rate!.take()) {
      const ids = item.kind === 'update' ? updateIds(item.message) : watchIds(item.message);
      const detail = `quota.updatesPerSecond: the tenant sent more than ${tenant.limits.maxUpdatesPerSecond} WatchChannel and Update frames in a second`;
      return Promise.resolve(invalidAck(ids, pb.InvalidReason.QUOTA_EXCEEDED, detail));
    }
    return item.kind === 'update'
      ? this.ctx.writer.update(tenant, item.message)
      : this.ctx.writer.watch(tenant, item.message);
  }

  #sendAck(ack: AckInit): void {
    this.#write({ frame: { case: 'updateAck', value: ack } });
    const fields = {
      channelId: toHex(ack.channelId ?? new Uint8Array()),
      updateId: ack.updateId?.toString(),
      status: pb.UpdateStatus[ack.status ?? pb.UpdateStatus.UNSPECIFIED],
    };
    if (ack.status === pb.UpdateStatus.PERSISTED) this.#log.debug(fields, 'update acked');
    else
      this.#log.info(
        { ...fields, reason: pb.InvalidReason[ack.reason ?? 0], detail: ack.detail },
        'update not persisted as sent',
      );
  }

  #write(frame: ServerFrameInit): boolean {
    if (this.#state === 'closed') return false;
    this.call.write(frame);
    return true;
  }

  /** The error to end the session with; an unexpected one is logged and reported as UNAVAILABLE. */
  #sessionErrorOf(e: unknown): SessionError {
    if (e instanceof SessionError) return e;
    this.#log.error({ err: e }, 'session failed');
    return new SessionError(
      status.UNAVAILABLE,
      'the monitor failed to complete a request; reconnect and resend what was not acked',
    );
  }

  /** Ends the session with `error`: an Error frame, then the same status. */
  #fail(error: SessionError): void {
    if (this.#state === 'closed') return;
    this.#write({ frame: { case: 'error', value: { code: error.code, message: error.message } } });
    this.call.emit('error', { code: error.code, details: error.message });
    this.#close(`${status[error.code]}: ${error.message}`);
  }

  /** The client half-closed: everything before it was handled; end with OK. */
  #finish(): void {
    if (this.#state === 'closed') return;
    this.call.end();
    this.#close('ended by the client');
  }

  #close(why: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#queue = [];
    clearTimeout(this.#helloTimer);
    this.#log.info({ why }, 'session closed');
    void Promise.all([this.#authenticating, this.#working]).then(() => this.#markDone());
  }
}
