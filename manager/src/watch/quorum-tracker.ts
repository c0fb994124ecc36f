/**
 * Which monitor updates are durable on a quorum of monitors (DESIGN.md "The monitor protocol",
 * rule 4). A monitor applies a channel's updates strictly in order (a gap is INVALID), so its ack
 * of update N means it has persisted every update up to N: one position per (monitor, channel)
 * says everything, and an update is durable once `quorum` monitors' positions reach it, i.e. when
 * it is at or below the quorum-th highest position.
 */
import { ValidationError } from '@vigil/shared/errors';

export class QuorumTracker {
  /** channel (hex) -> monitor id -> highest update id it persisted (0 = the initial watch). */
  private readonly positions = new Map<string, Map<string, number>>();
  /** channel (hex) -> highest update id already reported durable. */
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly monitorIds: readonly string[],
    private readonly quorum: number,
  ) {
    if (!Number.isInteger(quorum) || quorum < 1 || quorum > monitorIds.length) {
      throw new ValidationError(
        'quorum',
        `expected 1 to ${monitorIds.length} (the configured monitors), got ${quorum}`,
      );
    }
    if (new Set(monitorIds).size !== monitorIds.length)
      throw new ValidationError('monitors', 'monitor ids must be distinct');
  }

  /** Restores what was reported and persisted before a restart. */
  restore(channel: string, reportedUpTo: number, positions: ReadonlyMap<string, number>): void {
    this.reported.set(channel, reportedUpTo);
    this.positions.set(channel, new Map(positions));
  }

  /**
   * Records that `monitorId` persisted `channel` up to `updateId` and returns the update ids that
   * became durable, in order. A lower position than already known (a monitor restored from an
   * older backup) is kept as the new truth: durability must never be overstated.
   */
  persisted(monitorId: string, channel: string, updateId: number): number[] {
    if (!this.monitorIds.includes(monitorId))
      throw new ValidationError('monitorId', `unknown monitor ${monitorId}`);
    const byMonitor = this.positions.get(channel) ?? new Map<string, number>();
    byMonitor.set(monitorId, updateId);
    this.positions.set(channel, byMonitor);
    const durable = this.durableUpTo(channel);
    const from = (this.reported.get(channel) ?? -1) + 1;
    if (durable < from) return [];
    this.reported.set(channel, durable);
    return Array.from({ length: durable - from + 1 }, (_, i) => from + i);
  }

  /** The highest update id persisted by at least `quorum` monitors, or -1. */
  durableUpTo(channel: string): number {
    const sorted = [...(this.positions.get(channel)?.values() ?? [])].sort((a, b) => b - a);
    return sorted[this.quorum - 1] ?? -1;
  }

  /** The position of `monitorId` for `channel`, or -1 when it has nothing of it. */
  positionOf(monitorId: string, channel: string): number {
    return this.positions.get(channel)?.get(monitorId) ?? -1;
  }
}
