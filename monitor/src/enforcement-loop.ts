/**
 * The monitor's chain loop (DESIGN.md "Enforcement", "Chain layer"): every `intervalMs` it brings
 * the enforcer's BlockFollower up to the node's tip (each block handed to the Enforcer in the
 * follower's transaction), then runs the enforcer's after-poll work (broadcasts, session
 * notices), until stopped.
 *
 * Invariants:
 * - Polls never overlap: the loop's and those asked for through `pollNow` run one after another.
 * - A failure is logged and the loop goes on. A reorg deeper than the follower keeps
 *   (ReorgTooDeepError) is logged at error level, as it needs an operator, and retried every
 *   interval: the follower does not move until the chain is back within reach.
 * - `afterPoll` runs even when the poll failed: claims already pending are still (re)broadcast
 *   while the follower is stuck or the node flaps.
 * - `stop` returns once the poll in flight (and any asked for before it) has finished, so the
 *   database can close under none.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlockFollower } from '@vigil/shared/chain/block-follower';
import { ReorgTooDeepError } from '@vigil/shared/chain/block-follower';
import type { BlockRef } from '@vigil/shared/chain/chain-source';
import { VigilError } from '@vigil/shared/errors';
import type { Logger } from '@vigil/shared/log/logger';
import type { Enforcer } from './enforce/enforcer.js';

export interface EnforcementLoopOptions {
  readonly follower: Pick<BlockFollower, 'poll' | 'position'>;
  readonly enforcer: Pick<Enforcer, 'afterPoll'>;
  /** Pause between the end of one poll and the start of the next. */
  readonly intervalMs: number;
  readonly log: Logger;
}

export class EnforcementLoop {
  /** The last poll asked for; the next one starts after it settles. */
  #tail: Promise<void> = Promise.resolve();
  readonly #stopping = new AbortController();
  #running: Promise<void> | undefined;

  constructor(private readonly options: EnforcementLoopOptions) {}

  /** The last block the enforcer processed (or the tip adopted at first start), once known. */
  get position(): BlockRef | undefined {
    return this.options.follower.position;
  }

  /** Starts polling (the first poll at once). */
  start(): void {
    this.#running ??= this.#loop();
  }

  /**
   * One poll and after-poll run now, after any in flight. Rejects with the poll's error (else the
   * after-poll's), which is also logged; rejects at once after `stop`.
   */
  pollNow(): Promise<void> {
    if (this.#stopping.signal.aborted) {
      return Promise.reject(new VigilError('chain', 'the enforcement loop is stopped'));
    }
    const run = this.#tail.then(() => this.#pollOnce());
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Stops polling; resolves once no poll is in flight. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
    await this.#tail;
  }

  async #loop(): Promise<void> {
    const signal = this.#stopping.signal;
    while (!signal.aborted) {
      await this.pollNow().catch(() => undefined); // Logged by #pollOnce.
      await sleep(this.options.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  async #pollOnce(): Promise<void> {
    const { follower, enforcer, log } = this.options;
    let failure: unknown;
    try {
      const { connected, disconnected } = await follower.poll();
      if (connected > 0 || disconnected > 0) {
        log.debug({ connected, disconnected, height: follower.position?.height }, 'chain followed');
      }
    } catch (e) {
      failure = e;
      if (e instanceof ReorgTooDeepError) {
        log.error(
          { err: e },
          'the chain reorganised deeper than the blocks kept: enforcement cannot follow it; retrying',
        );
      } else {
        log.warn({ err: e }, 'chain poll failed; retrying');
      }
    }
    try {
      await enforcer.afterPoll();
    } catch (e) {
      log.error({ err: e }, 'enforcement after the chain poll failed');
      failure ??= e;
    }
    if (failure !== undefined) throw failure;
  }
}
