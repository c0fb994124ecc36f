/**
 * The freeze of DESIGN.md rule 4 (LDK's `ChannelMonitorUpdateStatus::InProgress`): monitor updates
 * get consecutive ids and go to the watch at once, while the channel's outputs wait until every
 * update produced before them is durable.
 *
 * Invariants:
 * - the initial watch is id 0, updates count up from 1 by exactly one (`updateId`);
 * - an output is released only when the watch and every update emitted before it completed, and
 *   outputs leave in the order they were produced (the peer must see messages in order).
 * This holds back exactly what BOLT 2 safety needs and more: a `revoke_and_ack` waits for the
 * `latestHolderCommitment` before it, a `commitment_signed` for its `latestCounterpartyCommitment`,
 * an `update_fulfill_htlc` for its `paymentPreimage`, `funding_signed` and the funding broadcast for
 * the initial watch; and, as in LDK, nothing overtakes them. Completions may arrive in any order.
 */
import { expectUint } from '@vigil/shared/bytes';
import { ValidationError } from '@vigil/shared/errors';
import type { ChannelMonitorInit } from '@vigil/shared/monitor-model/create-monitor';
import type {
  ChannelMonitorUpdate,
  ChannelMonitorUpdateStep,
} from '@vigil/shared/monitor-model/monitor-update';
import type { ChannelOutput } from './channel-output.js';
import { type ChannelWatch, INITIAL_WATCH_ID } from './channel-watch.js';

/** Nothing emitted (or nothing durable) yet. */
const NONE = -1;

export class MonitorGate {
  readonly #watch: ChannelWatch;
  #latestEmitted = NONE;
  #durable = NONE;
  /** Completed ids above `#durable`, waiting for the ones before them. */
  readonly #completedAhead = new Set<number>();
  #held: { readonly output: ChannelOutput; readonly after: number }[] = [];

  constructor(watch: ChannelWatch) {
    this.#watch = watch;
  }

  /** The id of the last update handed to the watch (0: only the initial watch; -1: not even that). */
  get latestUpdateId(): number {
    return this.#latestEmitted;
  }

  /** Every update up to this id completed. */
  get durableUpdateId(): number {
    return this.#durable;
  }

  /** Outputs produced but not yet released. */
  get heldOutputs(): readonly ChannelOutput[] {
    return this.#held.map((h) => h.output);
  }

  watch(init: ChannelMonitorInit): void {
    if (this.#latestEmitted !== NONE)
      throw new ValidationError('watchChannel', 'the channel is already watched');
    this.#latestEmitted = INITIAL_WATCH_ID;
    if (this.#watch.watchChannel(init) === 'completed') this.completed(INITIAL_WATCH_ID);
  }

  update(channelId: Uint8Array, steps: readonly ChannelMonitorUpdateStep[]): ChannelMonitorUpdate {
    if (this.#latestEmitted === NONE)
      throw new ValidationError('updateChannel', 'the channel is not watched yet');
    const update: ChannelMonitorUpdate = { channelId, updateId: this.#latestEmitted + 1, steps };
    this.#latestEmitted = update.updateId;
    if (this.#watch.updateChannel(update) === 'completed') this.completed(update.updateId);
    return update;
  }

  /** Queues `output` behind every update emitted so far. */
  hold(output: ChannelOutput): void {
    this.#held.push({ output, after: this.#latestEmitted });
  }

  completed(updateId: number): void {
    expectUint(updateId, this.#latestEmitted, 'updateId');
    if (updateId <= this.#durable) return;
    this.#completedAhead.add(updateId);
    while (this.#completedAhead.delete(this.#durable + 1)) this.#durable++;
  }

  /** The outputs whose updates are all durable, in order, removed from the queue. */
  release(): ChannelOutput[] {
    const ready = this.#held.findIndex((h) => h.after > this.#durable);
    const count = ready === NONE ? this.#held.length : ready;
    return this.#held.splice(0, count).map((h) => h.output);
  }

  /**
   * Forgets held messages: the connection they were for is gone (BOLT 2 retransmission decides
   * what to send again). Other outputs (events, broadcasts) still wait for their updates.
   */
  discardMessages(): void {
    this.#held = this.#held.filter((h) => h.output.kind !== 'send');
  }
}
