/**
 * One session's side of the event outbox (DESIGN.md rule 5): sends the tenant's unacknowledged
 * events in sequence order, at most EVENT_WINDOW unacknowledged at a time, and deletes them once
 * the tenant acknowledges them (cumulatively). What a session sent but the tenant did not
 * acknowledge stays in the outbox and is sent again by its next session.
 */
import { status } from '@grpc/grpc-js';
import type { Database } from '@vigil/shared/db/database';
import { ackEvents, type OutboxEvent, pendingEvents } from '../store/event-outbox.js';
import { SessionError } from './session-error.js';

/** Events sent and not yet acknowledged, per session: bounds what one slow tenant holds in memory. */
export const EVENT_WINDOW = 64;

export class EventFeed {
  /** The highest sequence sent on this session (0: none). */
  #lastSent = 0n;
  /** Sequences sent and not acknowledged, ascending. */
  #unacked: bigint[] = [];
  #pumping: Promise<void> | undefined;
  #again = false;

  constructor(
    private readonly db: Database,
    private readonly tenant: Uint8Array,
    /** Writes the event to the stream; false once the session is closing (stop sending). */
    private readonly send: (event: OutboxEvent) => boolean,
  ) {}

  /**
   * Sends what is pending, as far as the window allows. Calls while a pump runs make it look
   * again rather than start a second one, so events go out once and in order.
   */
  pump(): Promise<void> {
    this.#again = true;
    this.#pumping ??= this.#loop();
    return this.#pumping;
  }

  async #loop(): Promise<void> {
    try {
      while (this.#again) {
        this.#again = false;
        await this.#sendBatch();
      }
    } finally {
      this.#pumping = undefined;
    }
  }

  async #sendBatch(): Promise<void> {
    const room = EVENT_WINDOW - this.#unacked.length;
    if (room <= 0) return;
    for (const event of await pendingEvents(this.db, this.tenant, this.#lastSent, room)) {
      if (!this.send(event)) return;
      this.#lastSent = event.sequence;
      this.#unacked.push(event.sequence);
    }
  }

  /** Handles an EventAck: only sequences this session sent can be acknowledged. */
  async ack(sequence: bigint): Promise<void> {
    if (sequence > this.#lastSent) {
      throw new SessionError(
        status.INVALID_ARGUMENT,
        `eventAck.sequence: ${sequence} was not sent on this session (the last sent is ${this.#lastSent})`,
      );
    }
    await ackEvents(this.db, this.tenant, sequence);
    this.#unacked = this.#unacked.filter((s) => s > sequence);
    await this.pump();
  }
}
